package dev.corral.daemon.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.protocol.Events;
import java.io.UncheckedIOException;
import java.time.Instant;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Events one subscription will not get: {@code dropped} of them, with ids from {@code fromId} to
 * {@code toId}. {@link Events#REASON_SLOW}: the subscriber fell a queue behind (the journal may
 * still hold them); {@link Events#REASON_EXPIRED}: the journal no longer holds them.
 */
record Gap(long dropped, long fromId, long toId, String reason) implements Item {

    /** The gap as an event body (no seq): it has no id and no channel, being nobody else's. */
    byte[] json(ObjectMapper mapper) {
        ObjectNode body = mapper.createObjectNode();
        body.putNull(Events.ID);
        body.putNull(Events.CHANNEL);
        body.put(Events.TYPE, Events.GAP);
        body.put(Events.TIME, Instant.now().toString());
        ObjectNode data = body.putObject(Events.DATA);
        data.put(Events.DROPPED, dropped);
        data.put(Events.FROM_ID, fromId);
        data.put(Events.TO_ID, toId);
        data.put(Events.REASON, reason);
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
