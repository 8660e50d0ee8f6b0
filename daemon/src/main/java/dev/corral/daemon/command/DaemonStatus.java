package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import dev.corral.protocol.args.NoArgs;
import dev.corral.protocol.result.DaemonState;
import java.time.Duration;
import java.time.Instant;

/** What the daemon is: version, pid, uptime, socket, state directory, protocol, connections, events. */
final class DaemonStatus extends BoundOperation<NoArgs> {
    private final Daemon daemon;

    DaemonStatus(Daemon daemon) {
        super(NoArgs.class);
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return Op.DAEMON_STATUS;
    }

    @Override
    Reply serve(NoArgs args, Caller caller) {
        return Reply.ok(new DaemonState(daemon.version(), daemon.pid(),
                Duration.between(daemon.startedAt(), Instant.now()).toSeconds(), daemon.startedAt().toString(),
                daemon.paths().socket().toString(), daemon.paths().stateDir().toString(), Protocol.VERSION,
                daemon.transportName(), daemon.connections(), daemon.events().describe()));
    }
}
