package dev.corral.daemon.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Message;

/** Builds response frames: {@code {"id", "result"}} or {@code {"id", "error": {"code", "message"}}}. */
final class Responses {
    private Responses() {}

    static ObjectNode ok(ObjectMapper mapper, JsonNode id, Object result) {
        ObjectNode frame = mapper.createObjectNode();
        frame.set(Message.ID, id == null ? NullNode.instance : id);
        frame.set(Message.RESULT, mapper.valueToTree(result));
        return frame;
    }

    static ObjectNode error(ObjectMapper mapper, JsonNode id, ErrorCode code, String message) {
        ObjectNode frame = mapper.createObjectNode();
        frame.set(Message.ID, id == null ? NullNode.instance : id);
        ObjectNode error = frame.putObject(Message.ERROR);
        error.put(Message.CODE, code.name());
        error.put(Message.MESSAGE, message);
        return frame;
    }
}
