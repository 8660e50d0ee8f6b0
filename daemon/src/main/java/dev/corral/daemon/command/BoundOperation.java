package dev.corral.daemon.command;

import dev.corral.daemon.session.Refusal;

/**
 * Base of the operations that take their arguments as a record of {@code dev.corral.protocol.args}:
 * the request is bound (and refused as BAD_REQUEST if it does not fit) before {@link #serve} runs,
 * and a refusal it throws becomes its error reply.
 */
abstract class BoundOperation<A extends Record> implements Operation {
    private final Class<A> argsType;

    BoundOperation(Class<A> argsType) {
        this.argsType = argsType;
    }

    @Override
    public final Reply run(Request request, Caller caller) {
        try {
            return serve(request.args(argsType), caller);
        } catch (Refusal e) {
            return Reply.error(e.code(), e.getMessage());
        }
    }

    abstract Reply serve(A args, Caller caller) throws Refusal;
}
