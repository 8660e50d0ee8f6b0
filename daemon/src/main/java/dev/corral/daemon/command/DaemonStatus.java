package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the daemon is: version, pid, uptime, socket, state directory, protocol, connections, events. */
final class DaemonStatus implements Operation {
    private final Daemon daemon;

    DaemonStatus(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return Op.DAEMON_STATUS;
    }

    @Override
    public Reply run(Request request, Caller caller) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("version", daemon.version());
        status.put("pid", daemon.pid());
        status.put("uptimeSeconds", Duration.between(daemon.startedAt(), java.time.Instant.now()).toSeconds());
        status.put("startedAt", daemon.startedAt().toString());
        status.put("socket", daemon.paths().socket().toString());
        status.put("stateDir", daemon.paths().stateDir().toString());
        status.put("protocol", Protocol.VERSION);
        status.put("transport", daemon.transportName());
        status.put("connections", daemon.connections());
        status.put("events", daemon.events().describe());
        return Reply.ok(status);
    }
}
