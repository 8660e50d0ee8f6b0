package dev.corral.daemon.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.daemon.session.Refusal;

/**
 * One decoded request frame: the id to echo, the operation's name and its arguments, as sent and,
 * once the dispatcher bound them, as their record ({@code bound}, else null).
 */
public record Request(JsonNode id, String op, ObjectNode args, Record bound) {
    public Request {
        if (args == null) {
            args = JsonNodeFactory.instance.objectNode();
        }
    }

    public Request(JsonNode id, String op, ObjectNode args) {
        this(id, op, args, null);
    }

    /** The arguments as {@code type}: the record bound already, or bound now ({@link Arguments}). */
    public <A extends Record> A args(Class<A> type) throws Refusal {
        if (type.isInstance(bound)) {
            return type.cast(bound);
        }
        return Arguments.bind(op, args, type);
    }

    /** This request with its arguments bound. */
    public Request withBound(Record arguments) {
        return new Request(id, op, args, arguments);
    }
}
