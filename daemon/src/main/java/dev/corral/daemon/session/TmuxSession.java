package dev.corral.daemon.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program in a session of corral's tmux server. It outlives the daemon: a restarted daemon
 * adopts it again. The daemon's only client of the session is a tmux control-mode client
 * ({@link TmuxControl}), which never has a terminal, so tmux never queries one: keystrokes go in
 * byte-exact through {@code send-keys -H}, and a subscription to the pane's state tells of the
 * program's end ({@link TmuxPaneWatch} makes sense of it). The program's bytes, exactly as it
 * wrote them, come through {@code pipe-pane} into a FIFO ({@link TmuxOutput}). No hook runs in
 * tmux when a pane dies, and an idle session costs no tmux process at all.
 */
final class TmuxSession extends Session {
    private static final Logger log = LoggerFactory.getLogger(TmuxSession.class);
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    private final Tmux tmux;
    private final ScheduledExecutorService scheduler;
    private final TmuxPaneWatch watch;
    private volatile TmuxControl control;
    /** Where the pane's bytes arrive; guarded by this. */
    private TmuxOutput pipe;
    private volatile long panePid = -1;
    private volatile boolean stopping;
    private volatile boolean sawOutput;
    /** The pane's text when the program ended (the pane is reset then, see {@link #exited}). */
    private volatile String finalScreen;
    private volatile int cols;
    private volatile int rows;

    TmuxSession(SessionSpec spec, String id, Instant createdAt, Context context, Tmux tmux,
            ScheduledExecutorService scheduler) {
        super(spec, id, createdAt, context);
        this.tmux = tmux;
        this.scheduler = scheduler;
        this.watch = new TmuxPaneWatch(this, tmux, scheduler);
        this.cols = spec.cols();
        this.rows = spec.rows();
    }

    /**
     * Starts the program: the daemon's control client creates the session, so it hears the
     * program's first byte, and marks it with {@code marker} (its record) in the same command.
     */
    void start(Map<String, String> env, String marker) throws IOException, Refusal {
        Events events = new Events();
        TmuxOutput pipe = openOutput();
        TmuxControl created;
        try {
            created = tmux.newSession(spec, env, marker, pipe.pipeCommand(), events);
        } catch (IOException | Refusal e) {
            closeOutput();
            throw e;
        }
        events.client = created;
        control = created;
        TmuxControl.Reply reply = created.firstReply(REPLY_TIMEOUT);
        if (reply.error()) {
            created.close();
            closeOutput();
            throw new Tmux.Unanswered(reply.text().strip());
        }
        Tmux.Pane pane = Tmux.parseNewSession(reply.lines().isEmpty() ? "" : reply.lines().get(0))
                .orElseThrow(() -> new Tmux.Unanswered("tmux answered '" + reply.text().strip() + "' to new-session"));
        panePid = pane.pid();
        markRunning();
    }

    /** Takes over a pane tmux reported: watches a live one, records a dead one's status. */
    void open(Tmux.Pane pane) {
        panePid = pane.pid();
        cols = pane.cols();
        rows = pane.rows();
        showScreen();
        if (pane.dead()) {
            watch.liveness(TmuxPaneWatch.Liveness.DEAD);
            ended(State.EXITED, pane.exitCode(), Instant.now());
            return;
        }
        markRunning();
        openControl();
    }

    /** A session that had ended before the restart: what tmux still holds of it is shown as it is. */
    void restoreEnded(Tmux.Pane pane, State how, Integer code, Instant when) {
        if (pane != null) {
            panePid = pane.pid();
            cols = pane.cols();
            rows = pane.rows();
            watch.liveness(TmuxPaneWatch.Liveness.DEAD);
            showScreen();
        } else {
            watch.liveness(TmuxPaneWatch.Liveness.ABSENT); // tmux no longer has it
        }
        restoreEnded(how, code, when);
    }

    /** tmux did not answer when the session was adopted: find out later. */
    void unknown() {
        markRunning();
        watch.liveness(TmuxPaneWatch.Liveness.UNKNOWN);
        watch.recheckLater();
    }

    /** The screen tmux holds, through the output path: an adopted session's clients see it first. */
    private void showScreen() {
        try {
            byte[] screen = tmux.screen(name());
            output(screen, screen.length);
        } catch (IOException | Refusal e) {
            log.debug("could not read the screen of tmux session {}: {}", name(), e.toString());
        }
    }

    /** A fresh FIFO for the pane's bytes, read into the output path (replacing any earlier one). */
    private synchronized TmuxOutput openOutput() throws IOException, Refusal {
        if (pipe != null) {
            pipe.close();
        }
        tmux.binary();
        pipe = TmuxOutput.open(tmux.fifo(name(), id()), tmux.environment(), this::pipeOutput);
        return pipe;
    }

    private synchronized void closeOutput() {
        if (pipe != null) {
            pipe.close();
            pipe = null;
        }
    }

    private void pipeOutput(byte[] buffer, int length) {
        sawOutput = true;
        output(buffer, length);
    }

    private void openControl() {
        if (stopping || !running()) {
            return;
        }
        try {
            Events events = new Events();
            TmuxControl attached = tmux.attach(name(), openOutput().pipeCommand(), events);
            events.client = attached;
            control = attached;
            scheduler.execute(() -> {
                try {
                    TmuxControl.Reply reply = attached.firstReply(REPLY_TIMEOUT);
                    if (reply.error()) {
                        log.warn("tmux refused the daemon's client of session {}: {}", name(), reply.text().strip());
                    } else if (cols > 0) {
                        attached.send("resize-window -t =" + name() + ": -x " + cols + " -y " + rows);
                    }
                } catch (IOException e) {
                    log.debug("the daemon's client of tmux session {} did not start: {}", name(), e.getMessage());
                }
            });
        } catch (IOException | Refusal e) {
            log.warn("cannot attach the daemon's tmux client to session {}: {}", name(), e.getMessage());
            watch.liveness(TmuxPaneWatch.Liveness.UNKNOWN);
            watch.recheckLater();
        }
    }

    /** What the daemon's control client hears, on its reader thread. */
    private final class Events implements TmuxControl.Listener {
        /** The client these events are of; only the session's current one is listened to at its end. */
        volatile TmuxControl client;

        @Override
        public void output(byte[] buffer, int length) {
            sawOutput = true;
            TmuxSession.this.output(buffer, length);
        }

        @Override
        public void subscription(String name, String value) {
            if (name.equals(Tmux.SUBSCRIPTION_NAME)) {
                watch.paneState(value);
            }
        }

        @Override
        public void ended(String reason) {
            TmuxControl current = control;
            if (current != null && current == client && !stopping && running()) {
                watch.clientEnded();
            }
        }
    }

    /** The program ended with {@code code}: its last screen is kept, and the daemon's client leaves safely. */
    void exited(int code) {
        if (!running()) {
            return;
        }
        watch.liveness(TmuxPaneWatch.Liveness.DEAD);
        if (!sawOutput) {
            // A program that wrote and ended before tmux sent a byte: its screen is all there is.
            showScreen();
        }
        try {
            finalScreen = tmux.capture(name());
        } catch (IOException | Refusal e) {
            log.debug("could not capture the last screen of tmux session {}: {}", name(), e.toString());
        }
        TmuxControl current = control;
        if (current != null) {
            // tmux 3.3a writes a focus-out report to a pane whose program asked for them (Codex
            // does) when a client leaves, even to a dead pane with nothing to write to, and
            // crashes. Resetting the pane's modes first (its screen too: kept above) makes the
            // daemon's client safe to leave.
            current.send("send-keys -R -t =" + name() + ":");
            current.close();
        }
        ended(State.EXITED, code, Instant.now());
    }

    boolean stopping() {
        return stopping;
    }

    void panePid(long pid) {
        panePid = pid;
    }

    /** True while the daemon's control client is there to hear the session. */
    boolean attachedByDaemon() {
        return control != null;
    }

    /** The daemon's client left a live session (someone detached it by hand): attach again after a pause. */
    void reattachLater() {
        control = null;
        scheduler.schedule(this::openControl, 1, TimeUnit.SECONDS);
    }

    /** tmux answers again: the daemon's client comes back if it is not there. */
    void reattachIfDetached() {
        if (control == null) {
            openControl();
        }
    }

    /** See {@link TmuxPaneWatch#watchdog}: run among the session's checks by the /proc poll. */
    void watchdog() {
        watch.watchdog();
    }

    @Override
    public String kind() {
        return "tmux";
    }

    @Override
    public long pid() {
        return panePid;
    }

    /** Keystrokes go to the pane byte for byte: tmux's key tables never see them. */
    @Override
    public boolean write(byte[] bytes) {
        TmuxControl current = control;
        return current != null && running() && current.keys("=" + name() + ":", bytes);
    }

    /** An attached client's keystrokes: to tmux, which has no descriptor of the pane to write to. */
    @Override
    public boolean write(java.nio.ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return write(copy);
    }

    @Override
    public void resize(int newCols, int newRows) {
        TmuxControl current = control;
        if (current != null && running() && newCols > 0 && newRows > 0) {
            cols = newCols;
            rows = newRows;
            current.send("resize-window -t =" + name() + ": -x " + newCols + " -y " + newRows);
        }
    }

    @Override
    int[] size() {
        return new int[] {cols, rows};
    }

    @Override
    public byte[] tail(int bytes) throws Refusal {
        try {
            String text = finalScreen != null ? finalScreen : tmux.capture(name());
            byte[] screen = text.stripTrailing().concat("\n").getBytes(StandardCharsets.UTF_8);
            return screen.length <= bytes ? screen : Arrays.copyOfRange(screen, screen.length - bytes, screen.length);
        } catch (IOException e) {
            // The pane is gone (or tmux is not answering): what the program last wrote is the best left.
            return super.tail(bytes);
        }
    }

    @Override
    void signal(String signal) throws IOException {
        Signals.send(panePid, signal);
    }

    @Override
    void discard() {
        TmuxControl current = control;
        control = null;
        try {
            tmux.killSession(name());
        } catch (IOException | Refusal e) {
            log.warn("could not end tmux session {}: {}", name(), e.getMessage());
        }
        if (current != null) {
            current.close();
        }
        closeOutput();
    }

    @Override
    void daemonStopping() {
        stopping = true;
        // Only the daemon's own client goes; the session stays for the next daemon.
        TmuxControl current = control;
        if (current != null) {
            current.close();
        }
        closeOutput();
    }

    @Override
    void describeKind(Map<String, Object> object) {
        object.put("liveness", watch.liveness().name().toLowerCase());
        object.put("tmuxSocket", tmux.socket().toString());
        if (watch.lostReason() != null) {
            object.put("lostReason", watch.lostReason());
        }
    }
}
