package dev.corral.daemon.session;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/** A program running in a PTY that the daemon owns; it lives and dies with the daemon. */
final class PtySession extends Session {
    private volatile Pty pty;

    PtySession(SessionSpec spec, String id, Instant createdAt, Context context) {
        super(spec, id, createdAt, context);
    }

    /** Forks the program (blocking: call off the event loop). */
    void start(Map<String, String> environment) throws IOException {
        pty = Pty.start(name(), spec.command(), environment, spec.cwd(), spec.cols(), spec.rows(),
                this::output, code -> ended(State.EXITED, code, Instant.now()));
        markRunning();
    }

    @Override
    public String kind() {
        return "pty";
    }

    @Override
    public long pid() {
        Pty current = pty;
        return current == null ? -1 : current.pid();
    }

    @Override
    public boolean write(byte[] bytes) {
        Pty current = pty;
        return current != null && running() && current.write(bytes);
    }

    @Override
    public void resize(int cols, int rows) {
        Pty current = pty;
        if (current != null && running()) {
            current.resize(cols, rows);
        }
    }

    @Override
    void signal(String signal) throws IOException {
        Signals.send(pid(), signal);
    }

    @Override
    void daemonStopping() {
        if (running()) {
            try {
                Signals.send(pid(), "HUP");
            } catch (IOException e) {
                // Already gone, or never started: nothing to hang up.
            }
        }
    }

    @Override
    int[] size() {
        Pty current = pty;
        return current == null || !running() ? new int[] {spec.cols(), spec.rows()} : current.size(spec.cols(), spec.rows());
    }
}
