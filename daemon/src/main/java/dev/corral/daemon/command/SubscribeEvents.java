package dev.corral.daemon.command;

import dev.corral.daemon.event.EventHub;
import dev.corral.protocol.Events;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.SubscribeArgs;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Acknowledges a subscription, then turns the connection into a stream of event frames: the
 * journal's events after args.since first (when given), then live ones, of args.channels (all
 * when absent).
 */
final class SubscribeEvents extends BoundOperation<SubscribeArgs> {
    private final EventHub hub;

    SubscribeEvents(EventHub hub) {
        super(SubscribeArgs.class);
        this.hub = hub;
    }

    @Override
    public String name() {
        return Op.SUBSCRIBE;
    }

    @Override
    Reply serve(SubscribeArgs args, Caller caller) {
        Set<String> channels = new LinkedHashSet<>(args.channels());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put(Events.ARG_CHANNELS, channels);
        result.put(Events.ARG_SINCE, args.since());
        result.put(Events.LAST_ID, hub.lastId());
        return Reply.upgrade(result, new Reply.Subscribe(hub, channels, args.since()));
    }
}
