package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import dev.corral.protocol.args.NoArgs;
import dev.corral.protocol.result.Pong;

/** Liveness check: answers "pong" with the daemon and protocol versions. */
final class Ping extends BoundOperation<NoArgs> {
    private final Daemon daemon;

    Ping(Daemon daemon) {
        super(NoArgs.class);
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return Op.PING;
    }

    @Override
    Reply serve(NoArgs args, Caller caller) {
        return Reply.ok(new Pong(true, daemon.version(), Protocol.VERSION));
    }
}
