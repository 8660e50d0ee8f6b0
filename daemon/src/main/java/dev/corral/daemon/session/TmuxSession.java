package dev.corral.daemon.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program in a session of corral's tmux server. It outlives the daemon: a restarted daemon
 * adopts it again. The daemon keeps one tmux client of its own attached in a PTY (the view), and
 * streams that PTY to corral's clients exactly like a PTY session. When the program ends, tmux's
 * pane-died hook detaches the view; only then does the daemon ask tmux for the exit status, so
 * an idle session costs no tmux calls at all.
 */
final class TmuxSession extends Session {
    private static final Logger log = LoggerFactory.getLogger(TmuxSession.class);
    /** Text longer than this is typed through a paste buffer loaded from a file, not argv. */
    private static final int LITERAL_LIMIT = 2048;

    /** What tmux last said of the program: running, ended (status kept), gone, or no answer. */
    enum Liveness { ALIVE, DEAD, ABSENT, UNKNOWN }

    private final Tmux tmux;
    private final ScheduledExecutorService scheduler;
    private volatile long panePid = -1;
    private volatile Liveness liveness = Liveness.ALIVE;
    private volatile boolean stopping;
    private volatile boolean viewConfirmed;
    private int unanswered;
    private int statusWaits;

    TmuxSession(SessionSpec spec, String id, Instant createdAt, Context context, Tmux tmux,
            ScheduledExecutorService scheduler) {
        super(spec, id, createdAt, context);
        this.tmux = tmux;
        this.scheduler = scheduler;
    }

    /** Takes over a pane tmux reported: watches a live one, records a dead one's status. */
    void open(Tmux.Pane pane) {
        panePid = pane.pid();
        if (pane.dead()) {
            liveness = Liveness.DEAD;
            ended(State.EXITED, pane.exitCode(), Instant.now());
            return;
        }
        markRunning();
        openView();
    }

    /** tmux did not answer when the session was adopted: find out later. */
    void unknown() {
        markRunning();
        liveness = Liveness.UNKNOWN;
        recheckLater();
    }

    private void openView() {
        if (stopping || !running()) {
            return;
        }
        Map<String, String> env = new HashMap<>(tmux.environment());
        env.put("TERM", "xterm-256color");
        int[] size = size();
        viewConfirmed = false;
        try {
            terminal(Pty.start("tmux-" + name(), tmux.attachArgv(name()), env, spec.cwd(), size[0], size[1],
                    this::viewOutput, code -> viewEnded()));
        } catch (IOException | SessionException e) {
            log.warn("cannot attach the daemon's tmux client to session {}: {}", name(), e.getMessage());
            liveness = Liveness.UNKNOWN;
            recheckLater();
        }
    }

    /**
     * The view's first output means it is attached, so from now on the hook will detach it when
     * the program ends. A program that ended before that is caught by one question to tmux.
     */
    private void viewOutput(byte[] buffer, int length) {
        output(buffer, length);
        if (!viewConfirmed) {
            viewConfirmed = true;
            scheduler.execute(() -> check(false));
        }
    }

    private void viewEnded() {
        terminal(null);
        if (!stopping && running()) {
            check(true);
        }
    }

    /**
     * One question to tmux: is the program alive, dead (with what status), or gone?
     * {@code viewGone}: the daemon's client has left and must come back if the program lives.
     */
    private void check(boolean viewGone) {
        if (stopping || !running()) {
            return;
        }
        Optional<Tmux.Pane> pane;
        try {
            pane = tmux.pane(name());
        } catch (IOException | SessionException e) {
            synchronized (this) {
                unanswered++;
            }
            liveness = Liveness.UNKNOWN;
            log.warn("tmux did not answer about session {} ({}); its state is unknown until it does", name(), e.getMessage());
            recheckLater();
            return;
        }
        synchronized (this) {
            unanswered = 0;
        }
        if (pane.isEmpty()) {
            liveness = Liveness.ABSENT;
            ended(State.LOST, null, Instant.now());
        } else if (pane.get().dead() && pane.get().exitCode() == null && statusWaits++ < 10) {
            // Dead, but tmux has not reaped the program yet. tmux 3.3 can miss the SIGCHLD of a
            // program that exits as another child does; any later child exit makes it reap them
            // all, so give it one, then ask again.
            liveness = Liveness.DEAD;
            tmux.reapNudge();
            scheduler.schedule(() -> check(viewGone), 100L * statusWaits, TimeUnit.MILLISECONDS);
        } else if (pane.get().dead()) {
            liveness = Liveness.DEAD;
            ended(State.EXITED, pane.get().exitCode(), Instant.now());
            signalTerminal("HUP");
        } else if (viewGone) {
            liveness = Liveness.ALIVE;
            panePid = pane.get().pid();
            // Alive, but the view left (someone detached it by hand): attach again after a pause,
            // so a client that keeps leaving cannot turn this into a loop.
            scheduler.schedule(this::openView, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * The safety net under the hook: tmux 3.3 sometimes misses a program's SIGCHLD, and then
     * neither reaps it nor runs pane-died. Reading {@code /proc/PID/stat} (no tmux process, no
     * fork) shows such a program as gone or a zombie; only then is tmux asked.
     */
    void watchdog() {
        long pid = panePid;
        if (stopping || !running() || pid <= 0 || liveness != Liveness.ALIVE) {
            return;
        }
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (java.nio.file.NoSuchFileException e) {
            stat = null;
        } catch (IOException e) {
            return;
        }
        int close = stat == null ? -1 : stat.lastIndexOf(')');
        boolean gone = stat == null || (close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z');
        if (gone) {
            log.debug("program of tmux session {} (pid {}) has ended; asking tmux", name(), pid);
            check(false);
        }
    }

    private void recheckLater() {
        long delay;
        synchronized (this) {
            delay = recheckSeconds(unanswered);
        }
        scheduler.schedule(() -> check(terminal() == null), delay, TimeUnit.SECONDS);
    }

    @Override
    public String kind() {
        return "tmux";
    }

    @Override
    public long pid() {
        return panePid;
    }

    @Override
    public boolean send(String text, boolean enter) throws SessionException {
        try {
            if (text.length() <= LITERAL_LIMIT) {
                tmux.sendLiteral(name(), text, enter);
            } else {
                Path file = Files.createTempFile(tmux.scratch(), "send-", ".txt");
                try {
                    Files.writeString(file, text, StandardCharsets.UTF_8);
                    tmux.paste(name(), file);
                } finally {
                    Files.deleteIfExists(file);
                }
                if (enter) {
                    tmux.sendLiteral(name(), "", true);
                }
            }
            return true;
        } catch (IOException e) {
            throw new SessionException(dev.corral.protocol.ErrorCode.UNAVAILABLE, "could not type into tmux session '"
                    + name() + "': " + e.getMessage());
        }
    }

    @Override
    public byte[] tail(int bytes) throws SessionException {
        try {
            byte[] screen = tmux.capture(name()).stripTrailing().concat("\n").getBytes(StandardCharsets.UTF_8);
            return screen.length <= bytes ? screen : Arrays.copyOfRange(screen, screen.length - bytes, screen.length);
        } catch (IOException e) {
            // The pane is gone (or tmux is not answering): what the view last showed is the best left.
            return super.tail(bytes);
        }
    }

    @Override
    void signal(String signal) throws IOException {
        Signals.send(panePid, signal);
    }

    @Override
    void discard() {
        try {
            tmux.killSession(name());
        } catch (IOException | SessionException e) {
            log.warn("could not end tmux session {}: {}", name(), e.getMessage());
        }
    }

    @Override
    void daemonStopping() {
        stopping = true;
        // Only the daemon's own client goes; the session stays for the next daemon.
        signalTerminal("HUP");
    }

    @Override
    void describeKind(Map<String, Object> object) {
        object.put("liveness", liveness.name().toLowerCase());
        object.put("tmuxSocket", tmux.socket().toString());
    }
}
