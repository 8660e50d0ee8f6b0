package dev.corral.protocol.args;

import dev.corral.protocol.Events;
import java.util.List;

/** {@code events.subscribe}: the channels (all when absent) and the event id to replay after, if any. */
public record SubscribeArgs(List<String> channels, Long since) {
    public SubscribeArgs {
        if (channels == null) {
            channels = Events.CHANNELS;
        } else if (channels.isEmpty() || !Events.CHANNELS.containsAll(channels)) {
            throw new InvalidArgument(Events.ARG_CHANNELS, "args.channels must be a non-empty array of channel names from "
                    + String.join(", ", Events.CHANNELS) + " (or absent, for all of them)");
        }
        if (since != null && since < 0) {
            throw new InvalidArgument(Events.ARG_SINCE, "args.since must be an event id: a whole number, 0 or more");
        }
        channels = List.copyOf(channels);
    }
}
