package dev.corral.daemon.session;

import dev.corral.daemon.terminal.Pty;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/** A program running in a PTY that the daemon owns; it lives and dies with the daemon. */
final class PtySession extends Session {
    /** The pid an earlier daemon recorded, for a session restored from its record; -1 otherwise. */
    private volatile long keptPid = -1;
    /** How much the program had written ({@link FanOut#written}) when its output was last kept on disk (only the registry's timer touches it). */
    private volatile long keptWritten;

    PtySession(SessionSpec spec, String id, Instant createdAt, Context context) {
        super(spec, id, createdAt, context);
    }

    /** Forks the program (blocking: call off the event loop). */
    void start(Map<String, String> environment) throws IOException {
        terminal(Pty.start(name(), spec.command(), environment, spec.cwd(), spec.cols(), spec.rows(),
                sink(code -> ended(State.EXITED, code, Instant.now()))));
        markRunning();
    }

    @Override
    public String kind() {
        return "pty";
    }

    @Override
    public long pid() {
        Pty current = terminal();
        return current == null ? keptPid : current.pid();
    }

    /** A session an earlier daemon recorded: its program's pid and last output, as that daemon kept them. */
    void restoreKept(Long pid, byte[] output) {
        keptPid = pid == null ? -1 : pid;
        if (output != null) {
            fanOut().restore(output);
        }
        keptWritten = fanOut().written();
    }

    /** True when the program wrote since {@link #keepOutput} last ran. */
    boolean outputChangedSinceKept() {
        return fanOut().written() != keptWritten;
    }

    /** The output to keep on disk now. */
    byte[] keepOutput() {
        keptWritten = fanOut().written();
        return outputSnapshot();
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

    /** All the output kept for replay. */
    byte[] outputSnapshot() {
        return fanOut().replay(Integer.MAX_VALUE);
    }
}
