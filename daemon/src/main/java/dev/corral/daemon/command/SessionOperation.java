package dev.corral.daemon.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.ErrorCode;

/**
 * Base of AttachSession, the one operation that still reads its JSON arguments by hand (it moves
 * to {@link BoundOperation} with {@code AttachArgs}); the dispatcher has bound and checked those
 * arguments against {@code AttachArgs} before it runs, so these readers see well-typed values.
 */
abstract class SessionOperation implements Operation {
    protected final SessionRegistry sessions;

    SessionOperation(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @Override
    public final Reply run(Request request, Caller caller) {
        try {
            return serve(request, caller);
        } catch (SessionException e) {
            return Reply.error(e.code(), e.getMessage());
        }
    }

    abstract Reply serve(Request request, Caller caller) throws SessionException;

    static String name(Request request) throws SessionException {
        return text(request, "name", null);
    }

    static String text(Request request, String field, String fallback) throws SessionException {
        JsonNode value = request.args().get(field);
        if (value == null || value.isNull()) {
            if (fallback == null) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "'" + request.op() + "' needs args." + field);
            }
            return fallback;
        }
        if (!value.isTextual()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args." + field + " must be a string");
        }
        return value.asText();
    }

    static boolean flag(Request request, String field) throws SessionException {
        JsonNode value = request.args().get(field);
        if (value != null && !value.isNull() && !value.isBoolean()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args." + field + " must be a boolean (true or false)");
        }
        return value != null && value.asBoolean();
    }

    static int number(Request request, String field, int fallback, int min, int max) throws SessionException {
        JsonNode value = request.args().get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args." + field + " must be a whole number from "
                    + min + " to " + max);
        }
        return value.intValue();
    }
}
