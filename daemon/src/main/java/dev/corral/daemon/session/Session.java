package dev.corral.daemon.session;

import dev.corral.daemon.screen.Screen;
import dev.corral.protocol.Protocol;
import dev.corral.protocol.Stream;
import dev.corral.protocol.result.SessionView;
import dev.corral.protocol.result.Size;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program the daemon supervises, whatever runs it. The base class owns what every kind shares:
 * the replay buffer, the attached clients, the state and the exit; a subclass supplies the
 * terminal ({@link #output} feeds it) and the kind's own way to type, signal and release.
 */
public abstract class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    public enum State { STARTING, RUNNING, EXITED, LOST }

    /**
     * What the program is doing, from its output: {@code ACTIVE} (output within the idle time),
     * {@code IDLE} (none for that long), {@code NEEDS_INPUT} (something on its screen asks for
     * input, see {@link #inputWanted}) or {@code EXITED}. Listeners hear every change.
     */
    public enum Status {
        ACTIVE, IDLE, NEEDS_INPUT, EXITED;

        /** The wire name: active, idle, needs-input, exited. */
        public String wire() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /** What a session gets from its registry; {@code timers} runs its idle timer. */
    record Context(int replayBytes, long maxQueuedBytes, SessionListener listener, ScheduledExecutorService timers,
            Duration idleAfter) {}

    protected final SessionSpec spec;
    private final String id;
    private final Instant createdAt;
    private final ReplayBuffer replay;
    /** What the terminal shows, fed with every output byte under this session's lock; attach redraws from it. */
    private final Screen screen;
    private final Context context;
    private final List<Attachment> attachments = new ArrayList<>();
    /** Completes with the exit status, or null when the program was lost without one. */
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private State state = State.STARTING;
    private Integer exitCode;
    private Instant endedAt;
    private long lastOutputNanos = System.nanoTime();
    private Status status = Status.ACTIVE;
    /** At most one per session, set while the status is active; see {@link #idleCheck}. */
    private ScheduledFuture<?> idleTimer;
    private volatile String agent;
    private volatile String readiness;
    private volatile String stuckOn;
    /** Set by the agent's watcher; see {@link #inputWanted}. */
    private boolean inputWanted;

    Session(SessionSpec spec, String id, Instant createdAt, Context context) {
        this.spec = spec;
        this.id = id;
        this.createdAt = createdAt;
        this.context = context;
        this.replay = new ReplayBuffer(context.replayBytes());
        this.screen = new Screen(spec.cols(), spec.rows(), scrollbackLines());
    }

    public final String name() {
        return spec.name();
    }

    public final String id() {
        return id;
    }

    public final SessionSpec spec() {
        return spec;
    }

    public final Instant createdAt() {
        return createdAt;
    }

    public abstract String kind();

    /** The agent profile the session was spawned with, or null. */
    public final String agent() {
        return agent;
    }

    /** Set once, before the program starts. */
    public final void agent(String profile) {
        this.agent = profile;
    }

    /** starting, awaiting-input, ready, stuck or exited (before it was ready) for an agent session; null for others. */
    public final String readiness() {
        return readiness;
    }

    /**
     * Moves the readiness on; {@code screen} is the text on screen when it is {@code stuck} or {@code exited}.
     * Listeners hear of every change.
     */
    public final void readiness(String state, String screen) {
        synchronized (this) {
            if (state.equals(readiness) && java.util.Objects.equals(screen, stuckOn)) {
                return;
            }
            readiness = state;
            stuckOn = screen;
        }
        log.info("session {} is {}", name(), state);
        context.listener().readinessChanged(this);
    }

    /** The program's process id, or -1 when it has none (yet, or any more). */
    public abstract long pid();

    /**
     * The terminal this session streams: the program's own PTY, or the PTY in which the daemon
     * keeps its own tmux or docker client attached. Null before the start and while a client is
     * being attached again.
     */
    private volatile Pty terminal;

    final Pty terminal() {
        return terminal;
    }

    final void terminal(Pty pty) {
        terminal = pty;
    }

    /** Types into the program. Returns false when its input queue is full (it is not reading). */
    public boolean write(byte[] bytes) {
        Pty current = terminal;
        return current != null && running() && current.write(bytes);
    }

    /** Text typed without attaching; {@code enter} presses Return after it. */
    public boolean send(String text, boolean enter) throws SessionException {
        return write((enter ? text + "\r" : text).getBytes(StandardCharsets.UTF_8));
    }

    /** Held to {@link Protocol#MAX_TERMINAL_SIZE} whoever asks (stream mode, attach, the web view). */
    public void resize(int cols, int rows) {
        Pty current = terminal;
        if (current != null && running()) {
            cols = Math.max(1, Math.min(cols, Protocol.MAX_TERMINAL_SIZE));
            rows = Math.max(1, Math.min(rows, Protocol.MAX_TERMINAL_SIZE));
            synchronized (this) {
                // The model takes the new size before the program hears of it, as a tmux pane does.
                screen.resize(cols, rows);
            }
            current.resize(cols, rows);
        }
    }

    /**
     * The session's screen model: what its terminal shows now (text, cells, cursor, modes, title).
     * Readers may call it from any thread; its {@link Screen#version()} moves with every output.
     */
    public final Screen screen() {
        return screen;
    }

    /** Scrollback lines each session's screen keeps: {@code -Dcorral.scrollback=N}, default 2,000. */
    static int scrollbackLines() {
        return Math.max(0, Math.min(100_000, Integer.getInteger("corral.scrollback", Screen.DEFAULT_SCROLLBACK)));
    }

    /** The most recent output, at most {@code bytes} of it. */
    public byte[] tail(int bytes) throws SessionException {
        synchronized (this) {
            return replay.snapshot(bytes);
        }
    }

    /** All the output kept for replay, and how much the program has written in all (to tell whether it changed). */
    final synchronized byte[] outputSnapshot() {
        return replay.snapshot();
    }

    final synchronized long outputWritten() {
        return replay.written();
    }

    /** Output an earlier daemon kept for this session, replayed as if the program had just written it. */
    final synchronized void restoreOutput(byte[] kept) {
        replay.append(kept, 0, kept.length);
    }

    /** Sends a signal (a canonical name, see {@link Signals}) to the program. */
    abstract void signal(String signal) throws IOException;

    /** Frees what the kind keeps once the session is forgotten ({@code rm} or the reaper). */
    void discard() {}

    /** The last attached client has gone (detached or disconnected). */
    void lastClientLeft() {}

    /** Warnings for whoever spawned the session (a stale image, its record not written); empty for most. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    void warn(String warning) {
        warnings.add(warning);
    }

    /** The daemon is stopping: a PTY program is hung up, a tmux or container session is left running. */
    abstract void daemonStopping();

    /** Columns and rows of the session's terminal; once it is gone, the size given at spawn. */
    int[] size() {
        Pty current = terminal;
        return current == null || !running() ? new int[] {spec.cols(), spec.rows()} : current.size(spec.cols(), spec.rows());
    }

    /**
     * How long to wait before asking again a program that did not answer (tmux, the docker
     * engine) {@code unanswered} times in a row: 1, 2, 4 … seconds, at most 30.
     */
    static long recheckSeconds(int unanswered) {
        return Math.min(30, 1L << Math.min(unanswered, 5));
    }

    /** Signals the process on the terminal (the program, or the daemon's own client), if it is still there. */
    final void signalTerminal(String signal) {
        Pty current = terminal;
        if (current != null && current.alive()) {
            try {
                Signals.send(current.pid(), signal);
            } catch (IOException e) {
                log.debug("terminal process of session {} already gone: {}", name(), e.toString());
            }
        }
    }

    /** Kind-specific fields of {@link #describe}. */
    void describeKind(Map<String, Object> object) {}

    public final CompletableFuture<Integer> exit() {
        return exit;
    }

    public final synchronized State state() {
        return state;
    }

    public final synchronized boolean running() {
        return state == State.STARTING || state == State.RUNNING;
    }

    public final synchronized Integer exitCode() {
        return exitCode;
    }

    public final synchronized Instant endedAt() {
        return endedAt;
    }

    final synchronized void markRunning() {
        if (state == State.STARTING) {
            state = State.RUNNING;
            // A program that has written nothing yet counts as active from its creation.
            armIdleTimer(context.idleAfter().toNanos() - (System.nanoTime() - lastOutputNanos));
        }
    }

    public final synchronized Status status() {
        return status;
    }

    /**
     * Whether the program's screen waits for a person (a question nobody answers, an empty ready
     * prompt), as the agent's watcher reads it: the status is needs-input for as long as it does,
     * whatever the program redraws meanwhile.
     */
    public final synchronized void inputWanted(boolean wanted) {
        inputWanted = wanted;
        if (!running()) {
            return;
        }
        if (wanted && status != Status.NEEDS_INPUT) {
            changeStatus(Status.NEEDS_INPUT);
        } else if (!wanted && status == Status.NEEDS_INPUT) {
            changeStatus(Status.ACTIVE);
            if (idleTimer == null) {
                armIdleTimer(context.idleAfter().toNanos() - (System.nanoTime() - lastOutputNanos));
            }
        }
    }

    /** Output makes the program active; the one idle timer is armed only if none is pending. */
    private void outputSeen() {
        lastOutputNanos = System.nanoTime();
        if (status == Status.IDLE || (status == Status.NEEDS_INPUT && !inputWanted)) {
            changeStatus(Status.ACTIVE);
        }
        if (status == Status.ACTIVE && idleTimer == null && running()) {
            armIdleTimer(context.idleAfter().toNanos());
        }
    }

    /**
     * The idle timer fired: idle if there was no output for the idle time, else armed again for
     * what is left of it. So a busy program costs one wake-up per idle time, a quiet one none.
     */
    private synchronized void idleCheck() {
        idleTimer = null;
        if (status != Status.ACTIVE || !running()) {
            return;
        }
        long quiet = System.nanoTime() - lastOutputNanos;
        long idleAfter = context.idleAfter().toNanos();
        if (quiet >= idleAfter) {
            changeStatus(Status.IDLE);
        } else {
            armIdleTimer(idleAfter - quiet);
        }
    }

    private void armIdleTimer(long delayNanos) {
        try {
            idleTimer = context.timers().schedule(this::idleCheck, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            idleTimer = null; // the daemon is stopping
        }
    }

    /** Under this session's lock, so listeners hear the changes in the order they happened. */
    private void changeStatus(Status next) {
        Status previous = status;
        status = next;
        context.listener().statusChanged(this, previous, next);
    }

    /** Terminal output: kept for replay and sent to every attached client. */
    final void output(byte[] buffer, int n) {
        synchronized (this) {
            outputSeen();
            replay.append(buffer, 0, n);
            screen.feed(buffer, 0, n);
            attachments.removeIf(a -> !a.send(StreamFrames.data(buffer, 0, n)));
        }
        context.listener().output(this, buffer, n);
        // On the reader thread: while every client is behind, stop reading until one catches up.
        Attachment.awaitOneCatchingUp(allBehind());
    }

    /** Every attached client, when none of them keeps up with the output; otherwise none. */
    private synchronized List<Attachment> allBehind() {
        boolean anyKeepingUp = attachments.isEmpty();
        for (Attachment attachment : attachments) {
            anyKeepingUp |= attachment.keepingUp();
        }
        return anyKeepingUp ? List.of() : List.copyOf(attachments);
    }

    /**
     * The program ended: with its status ({@link State#EXITED}), or without one because it was
     * lost ({@link State#LOST}, code null). Every attached client gets the status and is closed.
     */
    final void ended(State how, Integer code, Instant when) {
        List<Attachment> toFinish;
        Status before;
        synchronized (this) {
            if (state == State.EXITED || state == State.LOST) {
                return;
            }
            state = how;
            exitCode = code;
            endedAt = when;
            toFinish = List.copyOf(attachments);
            attachments.clear();
            before = status;
            status = Status.EXITED;
            if (idleTimer != null) {
                idleTimer.cancel(false);
                idleTimer = null;
            }
        }
        for (Attachment attachment : toFinish) {
            attachment.finish(StreamFrames.exit(code == null ? -1 : code));
        }
        if (how == State.LOST) {
            log.warn("session {} was lost: its program ended while no daemon watched it, status unknown", name());
        } else {
            log.info("session {} exited with status {}", name(), code);
        }
        context.listener().ended(this);
        // No change can follow this one (nothing changes an ended session), so it needs no lock.
        context.listener().statusChanged(this, before, Status.EXITED);
        exit.complete(code);
    }

    /** A session read back from the store that had already ended: no log line, no event. */
    final void restoreEnded(State how, Integer code, Instant when) {
        synchronized (this) {
            state = how;
            exitCode = code;
            endedAt = when;
            status = Status.EXITED;
        }
        exit.complete(code);
    }

    /**
     * True for a stream that is not a terminal's (a container's log read once): its client gets
     * the bytes as they are, with no redraw before them.
     */
    boolean rawStream() {
        return false;
    }

    public final Attachment attach(Channel channel, boolean readOnly, boolean withReplay) {
        return attach(channel, readOnly, withReplay, 0);
    }

    /**
     * Adds a client: a redraw made from the screen model first (the last {@code scrollbackLines}
     * scrollback lines, the cells, the modes and the cursor; only the modes without the replay),
     * then live output, with nothing lost or repeated at the seam because both happen under the
     * lock the output path takes. Raw bytes are never replayed, so a query a program once wrote
     * is never asked of a later client.
     */
    public final Attachment attach(Channel channel, boolean readOnly, boolean withReplay, int scrollbackLines) {
        Attachment attachment = new Attachment(this, channel, readOnly, context.maxQueuedBytes());
        synchronized (this) {
            byte[] redraw = rawStream() ? new byte[0] : withReplay ? screen.redraw(scrollbackLines) : screen.modesOnly();
            for (int offset = 0; offset < redraw.length; offset += Stream.MAX_PAYLOAD) {
                int length = Math.min(Stream.MAX_PAYLOAD, redraw.length - offset);
                attachment.send(StreamFrames.data(redraw, offset, length));
            }
            if (!running()) {
                attachment.finish(StreamFrames.exit(exitCode == null ? -1 : exitCode));
                return attachment;
            }
            attachments.add(attachment);
        }
        log.info("client attached to session {}{}", name(), readOnly ? " (read-only)" : "");
        context.listener().attached(this, readOnly);
        return attachment;
    }

    /** True while every attached client's connection takes more output without queueing past its mark. */
    final synchronized boolean clientsKeepUp() {
        for (Attachment attachment : attachments) {
            if (!attachment.channel().isWritable()) {
                return false;
            }
        }
        return true;
    }

    final void detach(Attachment attachment, String reason) {
        boolean last;
        synchronized (this) {
            if (!attachments.remove(attachment)) {
                return;
            }
            last = attachments.isEmpty();
        }
        log.info("client detached from session {}: {}", name(), reason);
        context.listener().detached(this, reason);
        if (last) {
            lastClientLeft();
        }
    }

    /** What {@code ls} and {@code show} print: the SPEC's session object. */
    public final synchronized SessionView describe() {
        long pid = pid();
        int[] size = size();
        Map<String, Object> kindFields = new LinkedHashMap<>();
        describeKind(kindFields);
        return new SessionView(spec.name(), id, kind(), state.name().toLowerCase(), pid > 0 ? pid : null, exitCode,
                spec.command(), spec.cwd().toString(), spec.workspace() == null ? null : spec.workspace().toString(), agent,
                createdAt.toString(), endedAt == null ? null : endedAt.toString(), attachments.size(), readiness, stuckOn,
                status.wire(), new Size(size[0], size[1]), kindFields);
    }
}
