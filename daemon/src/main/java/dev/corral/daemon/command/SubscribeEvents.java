package dev.corral.daemon.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.daemon.event.EventHub;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Events;
import dev.corral.protocol.Op;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Acknowledges a subscription, then turns the connection into a stream of event frames: the
 * journal's events after args.since first (when given), then live ones, of args.channels (all
 * when absent).
 */
final class SubscribeEvents implements Operation {
    private final EventHub hub;

    SubscribeEvents(EventHub hub) {
        this.hub = hub;
    }

    @Override
    public String name() {
        return Op.SUBSCRIBE;
    }

    @Override
    public Reply run(Request request, Caller caller) {
        Set<String> channels = new LinkedHashSet<>();
        JsonNode named = request.args().get(Events.ARG_CHANNELS);
        if (named == null || named.isNull()) {
            channels.addAll(Events.CHANNELS);
        } else if (!named.isArray() || named.isEmpty()) {
            return badChannels();
        } else {
            for (JsonNode channel : named) {
                if (!channel.isTextual() || !Events.CHANNELS.contains(channel.asText())) {
                    return badChannels();
                }
                channels.add(channel.asText());
            }
        }
        JsonNode sinceNode = request.args().get(Events.ARG_SINCE);
        Long since = null;
        if (sinceNode != null && !sinceNode.isNull()) {
            if (!sinceNode.isIntegralNumber() || !sinceNode.canConvertToLong() || sinceNode.longValue() < 0) {
                return Reply.error(ErrorCode.BAD_REQUEST, "args.since must be an event id: a whole number, 0 or more");
            }
            since = sinceNode.longValue();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put(Events.ARG_CHANNELS, channels);
        result.put(Events.ARG_SINCE, since);
        result.put(Events.LAST_ID, hub.lastId());
        Long from = since;
        return Reply.upgrade(result, new Reply.Subscribe(hub, channels, from));
    }

    private static Reply badChannels() {
        return Reply.error(ErrorCode.BAD_REQUEST, "args.channels must be a non-empty array of channel names from "
                + String.join(", ", Events.CHANNELS) + " (or absent, for all of them)");
    }
}
