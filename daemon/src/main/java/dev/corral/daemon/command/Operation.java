package dev.corral.daemon.command;

/** One protocol operation. Each lives in its own class and is listed once in {@link OperationTable}. */
public interface Operation {

    /** The wire name carried in a request's {@code op}. */
    String name();

    /**
     * Where the operation runs. {@link Execution#INLINE} operations are quick and never block, so
     * they run on the connection's event loop; the rest run on the worker pool.
     */
    default Execution execution() {
        return Execution.INLINE;
    }

    Reply run(Request request, Caller caller);

    enum Execution { INLINE, WORKER }
}
