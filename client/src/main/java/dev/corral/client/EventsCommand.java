package dev.corral.client;

import dev.corral.protocol.Events;
import dev.corral.protocol.Frames;
import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code corral events}: prints the daemon's events as they happen, one line each (one JSON
 * object each with --json), until interrupted or until the daemon goes away (exit 5).
 */
@Command(name = "events", description = "Print events as they happen (--since ID: first those after ID from the journal).")
final class EventsCommand implements Callable<Integer> {
    @ParentCommand
    Corral corral;

    @Option(names = "--channel", paramLabel = "C",
            description = "Only this channel: sessions, agents, leases or containers (repeatable; default: all).")
    List<String> channels = new ArrayList<>();

    @Option(names = "--since", paramLabel = "ID",
            description = "Replay the journal's events after this id first, then continue live (0: all it holds).")
    Long since;

    @Override
    public Integer call() {
        for (String channel : channels) {
            if (!Events.CHANNELS.contains(channel)) {
                throw new CliFailure(Exit.USAGE, null, "--channel " + channel + " is not a channel; use one of "
                        + String.join(", ", Events.CHANNELS));
            }
        }
        if (since != null && since < 0) {
            throw new CliFailure(Exit.USAGE, null, "--since takes an event id, 0 or more");
        }
        Map<String, Object> args = new LinkedHashMap<>();
        if (!channels.isEmpty()) {
            args.put(Events.ARG_CHANNELS, channels);
        }
        if (since != null) {
            args.put(Events.ARG_SINCE, since);
        }
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.UTF_8);
        try (DaemonConnection daemon = DaemonConnection.open(corral.endpoint(), true)) {
            daemon.require(Op.SUBSCRIBE, args);
            SocketChannel socket = daemon.handOver();
            while (true) {
                byte[] frame = Frames.read(socket);
                if (frame == null) {
                    throw CliFailure.unreachable("corrald on " + daemon.endpoint().socket()
                            + " ended the event stream (the daemon stopped)");
                }
                Object event = Json.read(frame) instanceof Map<?, ?> map ? map.get(Events.FRAME) : null;
                if (!(event instanceof Map<?, ?> fields)) {
                    throw new CliFailure(Exit.FAILED, null, "corrald sent a frame that is not an event: "
                            + new String(frame, StandardCharsets.UTF_8));
                }
                out.println(corral.json ? Json.writeString(fields) : line(fields));
                out.flush();
            }
        } catch (IOException e) {
            throw CliFailure.unreachable("lost the event stream from corrald: " + e.getMessage());
        } finally {
            out.flush();
        }
    }

    /** {@code TIME  #ID  TYPE  key=value ...}; a gap says what was missed and how to get it back. */
    static String line(Map<?, ?> event) {
        Map<?, ?> data = event.get(Events.DATA) instanceof Map<?, ?> map ? map : Map.of();
        StringBuilder line = new StringBuilder().append(event.get(Events.TIME)).append("  ");
        if (Events.GAP.equals(event.get(Events.TYPE))) {
            Object from = data.get(Events.FROM_ID);
            line.append("gap  ").append(data.get(Events.DROPPED)).append(" events missed (ids ").append(from)
                    .append(" to ").append(data.get(Events.TO_ID)).append(")");
            if (Events.REASON_SLOW.equals(data.get(Events.REASON)) && from instanceof Number first) {
                line.append(": this subscriber fell behind; 'corral events --since ").append(first.longValue() - 1)
                        .append("' replays them while the journal holds them");
            } else {
                line.append(": the journal no longer holds them");
            }
            return line.toString();
        }
        line.append('#').append(event.get(Events.ID)).append("  ").append(event.get(Events.TYPE));
        data.forEach((key, value) -> {
            if ("sessionId".equals(key) || value == null) {
                return;
            }
            String text = value instanceof String s && !s.isEmpty() && s.chars().noneMatch(c -> c <= ' ' || c == '"')
                    ? s : Json.writeString(value);
            line.append("  ").append(key).append('=').append(text);
        });
        return line.toString();
    }
}
