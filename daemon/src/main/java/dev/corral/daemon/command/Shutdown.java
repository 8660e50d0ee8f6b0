package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.daemon.session.Session;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.NoArgs;
import dev.corral.protocol.result.Stopping;
import java.util.ArrayList;
import java.util.List;

/** Graceful stop on request: answers first, then closes the server and removes the socket. */
final class Shutdown extends BoundOperation<NoArgs> {
    private final Daemon daemon;

    Shutdown(Daemon daemon) {
        super(NoArgs.class);
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return Op.SHUTDOWN;
    }

    @Override
    Reply serve(NoArgs args, Caller caller) {
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
        return Reply.ok(new Stopping(daemon.pid(), true, ending, surviving));
    }
}
