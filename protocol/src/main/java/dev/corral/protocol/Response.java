package dev.corral.protocol;

import java.io.IOException;
import java.util.Map;

/** A decoded response: the echoed id and either a result or an error. */
public record Response(Object id, Object result, ErrorCode errorCode, String errorMessage) {

    public boolean ok() {
        return errorCode == null;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> resultObject() {
        return result instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** Reads a response frame's payload. */
    public static Response parse(byte[] payload) throws IOException {
        if (!(Json.read(payload) instanceof Map<?, ?> frame)) {
            throw new IOException("daemon sent a frame that is not a JSON object");
        }
        Object error = frame.get(Message.ERROR);
        if (error instanceof Map<?, ?> body) {
            return new Response(frame.get(Message.ID), null,
                    ErrorCode.fromWire(String.valueOf(body.get(Message.CODE))),
                    String.valueOf(body.get(Message.MESSAGE)));
        }
        return new Response(frame.get(Message.ID), frame.get(Message.RESULT), null, null);
    }
}
