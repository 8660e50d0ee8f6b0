package dev.corral.daemon.session;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/** A program running in a PTY that the daemon owns; it lives and dies with the daemon. */
final class PtySession extends Session {
    PtySession(SessionSpec spec, String id, Instant createdAt, Context context) {
        super(spec, id, createdAt, context);
    }

    /** Forks the program (blocking: call off the event loop). */
    void start(Map<String, String> environment) throws IOException {
        terminal(Pty.start(name(), spec.command(), environment, spec.cwd(), spec.cols(), spec.rows(),
                this::output, code -> ended(State.EXITED, code, Instant.now())));
        markRunning();
    }

    @Override
    public String kind() {
        return "pty";
    }

    @Override
    public long pid() {
        Pty current = terminal();
        return current == null ? -1 : current.pid();
    }

    @Override
    void signal(String signal) throws IOException {
        Signals.send(pid(), signal);
    }

    @Override
    void daemonStopping() {
        if (running()) {
            signalTerminal("HUP");
        }
    }
}
