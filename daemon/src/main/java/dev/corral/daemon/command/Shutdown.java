package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.Op;
import java.util.Map;

/** Graceful stop on request: answers first, then closes the server and removes the socket. */
final class Shutdown implements Operation {
    private final Daemon daemon;

    Shutdown(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return Op.SHUTDOWN;
    }

    @Override
    public Reply run(Request request, Caller caller) {
        // Runs on another thread; connections are flushed before they close, so this reply arrives.
        daemon.shutdownAsync("shutdown requested by " + caller.peer());
        return Reply.ok(Map.of("pid", daemon.pid(), "stopping", true));
    }
}
