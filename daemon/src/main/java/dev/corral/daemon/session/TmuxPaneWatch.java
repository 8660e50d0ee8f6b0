package dev.corral.daemon.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What became of a tmux session's program, in tmux's own words: alive, dead with its status, or
 * gone. The daemon's control client tells of it (a subscription to the pane's state, and the
 * client's own end); {@code /proc} shows a program that ended while tmux did not notice; and
 * while tmux does not answer, it is asked again later, backing off. It runs on the session's
 * checks ({@code scheduler}), never on a reader thread.
 */
final class TmuxPaneWatch {
    private static final Logger log = LoggerFactory.getLogger(TmuxPaneWatch.class);

    /** What tmux last said of the program: running, ended (status kept), gone, or no answer. */
    enum Liveness { ALIVE, DEAD, ABSENT, UNKNOWN }

    private final TmuxSession session;
    private final Tmux tmux;
    private final ScheduledExecutorService scheduler;
    private volatile Liveness liveness = Liveness.ALIVE;
    private volatile String lostReason;
    private int unanswered;
    private int statusWaits;

    TmuxPaneWatch(TmuxSession session, Tmux tmux, ScheduledExecutorService scheduler) {
        this.session = session;
        this.tmux = tmux;
        this.scheduler = scheduler;
    }

    Liveness liveness() {
        return liveness;
    }

    void liveness(Liveness now) {
        liveness = now;
    }

    /** Why the session was lost, or null. */
    String lostReason() {
        return lostReason;
    }

    /** The control client's subscription to the pane's state changed to {@code value} (dead/status/signal). */
    void paneState(String value) {
        if (!value.startsWith("1/")) {
            return;
        }
        // The pane is dead; its status comes with it once tmux has reaped the program.
        String[] fields = value.split("/", -1);
        Integer code = null;
        if (fields.length == 3 && fields[1].matches("[0-9]+")) {
            code = Integer.parseInt(fields[1]);
        } else if (fields.length == 3 && fields[2].matches("[0-9]+")) {
            code = 128 + Integer.parseInt(fields[2]);
        }
        if (code != null) {
            session.exited(code);
        } else {
            scheduler.execute(() -> check(false));
        }
    }

    /** The daemon's control client has ended while the session ran: tmux is asked why. */
    void clientEnded() {
        scheduler.execute(() -> check(true));
    }

    /**
     * One question to tmux: is the program alive, dead (with what status), or gone?
     * {@code clientGone}: the daemon's control client has ended and must come back if the program lives.
     */
    void check(boolean clientGone) {
        if (session.stopping() || !session.running()) {
            return;
        }
        Optional<Tmux.Pane> pane;
        try {
            pane = tmux.pane(session.name());
        } catch (IOException | Refusal e) {
            synchronized (this) {
                unanswered++;
            }
            liveness = Liveness.UNKNOWN;
            log.warn("tmux did not answer about session {} ({}); its state is unknown until it does", session.name(), e.getMessage());
            recheckLater();
            return;
        }
        synchronized (this) {
            unanswered = 0;
        }
        if (pane.isEmpty()) {
            liveness = Liveness.ABSENT;
            boolean server;
            try {
                server = tmux.serverRunning();
            } catch (Refusal e) {
                server = false;
            }
            lostReason = server ? "its tmux session was ended outside corral" : "corral's tmux server died";
            log.warn("tmux session {}: {}; its last screen is kept", session.name(), lostReason);
            session.ended(Session.State.LOST, null, Instant.now());
        } else if (pane.get().dead() && pane.get().exitCode() == null && statusWaits++ < 10) {
            // Dead, but tmux has not reaped the program yet. tmux 3.3 can miss the SIGCHLD of a
            // program that exits as another child does; any later child exit makes it reap them
            // all, so give it one, then ask again.
            liveness = Liveness.DEAD;
            tmux.reapNudge();
            scheduler.schedule(() -> check(clientGone), 100L * statusWaits, TimeUnit.MILLISECONDS);
        } else if (pane.get().dead()) {
            liveness = Liveness.DEAD;
            session.exited(pane.get().exitCode() == null ? -1 : pane.get().exitCode());
        } else if (clientGone) {
            liveness = Liveness.ALIVE;
            session.panePid(pane.get().pid());
            // Alive, but the daemon's client left (someone detached it by hand): attach again after
            // a pause, so a client that keeps leaving cannot turn this into a loop.
            session.reattachLater();
        } else if (liveness == Liveness.UNKNOWN) {
            liveness = Liveness.ALIVE;
            session.panePid(pane.get().pid());
            session.reattachIfDetached();
        }
    }

    /**
     * The safety net: tmux 3.3 sometimes misses a program's SIGCHLD, and then never marks its
     * pane dead. Reading {@code /proc/PID/stat} (no tmux process, no fork) shows such a program
     * as gone or a zombie; only then is tmux asked.
     */
    void watchdog() {
        long pid = session.pid();
        if (session.stopping() || !session.running() || pid <= 0 || liveness != Liveness.ALIVE) {
            return;
        }
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (NoSuchFileException e) {
            stat = null;
        } catch (IOException e) {
            return;
        }
        int close = stat == null ? -1 : stat.lastIndexOf(')');
        boolean gone = stat == null || (close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z');
        if (gone) {
            log.debug("program of tmux session {} (pid {}) has ended; asking tmux", session.name(), pid);
            check(false);
        }
    }

    /** tmux could not be asked or reached: ask again later, backing off while it stays silent. */
    void recheckLater() {
        long delay;
        synchronized (this) {
            delay = Session.recheckSeconds(unanswered);
        }
        scheduler.schedule(() -> check(!session.attachedByDaemon()), delay, TimeUnit.SECONDS);
    }
}
