package dev.corral.daemon.server;

import dev.corral.daemon.Fatal;
import dev.corral.daemon.command.Caller;
import dev.corral.daemon.command.Operation;
import dev.corral.daemon.command.Reply;
import dev.corral.daemon.command.Request;
import dev.corral.protocol.ErrorCode;
import java.nio.file.InvalidPathException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one operation for any front end (the socket's dispatcher, the web view), so that what
 * escapes it is judged in one place: a path the peer made unusable is its BAD_REQUEST, an
 * exception or a library that would not load is a logged bug answered INTERNAL, and any other
 * Error ends the daemon ({@link Fatal}).
 */
public final class Guarded {
    private static final Logger log = LoggerFactory.getLogger(Guarded.class);

    private Guarded() {}

    public static Reply run(Operation operation, Request request, Caller caller) {
        try {
            return operation.run(request, caller);
        } catch (InvalidPathException e) {
            // Only a peer's argument becomes a path this way (a NUL in a cwd, say): its mistake, not a bug.
            String input = e.getInput().length() > 200 ? e.getInput().substring(0, 200) + "…" : e.getInput();
            return Reply.error(ErrorCode.BAD_REQUEST, "'" + input.replace("\0", "\\0") + "' is not a usable path: "
                    + e.getReason());
        } catch (RuntimeException | LinkageError e) {
            // A LinkageError (pty4j's native code that would not load, say) fails this operation, not the daemon.
            return internal(request, e);
        } catch (Error e) {
            Fatal.halt("operation '" + request.op() + "'", e);
            throw e;
        }
    }

    /** A failure that is a bug: logged with its stack, answered INTERNAL. */
    public static Reply internal(Request request, Throwable e) {
        log.error("bug: operation '{}' failed", request.op(), e);
        return Reply.error(ErrorCode.INTERNAL, "corrald failed on '" + request.op() + "' (" + e
                + "); the daemon log has the details");
    }
}
