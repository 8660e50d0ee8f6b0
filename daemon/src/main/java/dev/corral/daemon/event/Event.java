package dev.corral.daemon.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.protocol.Events;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * One published event. Its JSON ({@code {"id", "channel", "type", "time", "data"}}, id first) is
 * made once, when it is published: it is the journal's line and, with a per-subscriber seq
 * spliced in front, every subscriber's frame.
 */
record Event(long id, String channel, String type, Instant time, byte[] json) implements Item {

    static Event encode(ObjectMapper mapper, long id, String channel, String type, Instant time, Map<String, ?> data) {
        ObjectNode body = mapper.createObjectNode();
        body.put(Events.ID, id);
        body.put(Events.CHANNEL, channel);
        body.put(Events.TYPE, type);
        body.put(Events.TIME, time.toString());
        body.set(Events.DATA, mapper.valueToTree(data == null ? Map.of() : data));
        try {
            return new Event(id, channel, type, time, mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An event read back from a journal line (without its newline). */
    static Event parse(ObjectMapper mapper, byte[] line) throws IOException {
        JsonNode node = mapper.readTree(line);
        if (node == null || !node.path(Events.ID).canConvertToLong() || !node.path(Events.CHANNEL).isTextual()
                || !node.path(Events.TYPE).isTextual() || !node.path(Events.TIME).isTextual()) {
            throw new IOException("not an event");
        }
        try {
            return new Event(node.get(Events.ID).longValue(), node.get(Events.CHANNEL).asText(),
                    node.get(Events.TYPE).asText(), Instant.parse(node.get(Events.TIME).asText()), line);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IOException("event time is not an instant: " + e.getMessage());
        }
    }

    /**
     * The id of a journal line written by {@link #encode}, read from its first bytes
     * ({@code {"id":123,}) without parsing the rest; -1 when the line does not start that way.
     */
    static long leadingId(byte[] bytes, int offset, int length) {
        byte[] prefix = {'{', '"', 'i', 'd', '"', ':'};
        if (length <= prefix.length) {
            return -1;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return -1;
            }
        }
        long id = 0;
        int i = prefix.length;
        for (; i < length && i < prefix.length + 18 && bytes[offset + i] >= '0' && bytes[offset + i] <= '9'; i++) {
            id = id * 10 + (bytes[offset + i] - '0');
        }
        return i > prefix.length && i < length && bytes[offset + i] == ',' ? id : -1;
    }
}
