package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import java.util.Map;

/** Liveness check: answers "pong" with the daemon and protocol versions. */
final class Ping implements Operation {
    private final Daemon daemon;

    Ping(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return Op.PING;
    }

    @Override
    public Reply run(Request request, Caller caller) {
        return Reply.ok(Map.of("pong", true, "daemon", daemon.version(), "protocol", Protocol.VERSION));
    }
}
