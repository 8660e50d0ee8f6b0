package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.Op;
import dev.corral.daemon.session.Session;
import java.util.ArrayList;
import java.util.List;
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
        // PTY sessions end with the daemon; tmux and container sessions outlive it and are adopted again.
        List<String> ending = new ArrayList<>();
        int surviving = 0;
        for (Session session : daemon.sessions().list(false)) {
            if ("pty".equals(session.kind())) {
                ending.add(session.name());
            } else {
                surviving++;
            }
        }
        // Runs on another thread; connections are flushed before they close, so this reply arrives.
        daemon.shutdownAsync("shutdown requested by " + caller.peer());
        return Reply.ok(Map.of("pid", daemon.pid(), "stopping", true, "endingSessions", ending, "survivingSessions", surviving));
    }
}
