package dev.corral.daemon.session;

import dev.corral.daemon.screen.Screen;
import dev.corral.daemon.terminal.Chunk;
import dev.corral.daemon.terminal.Pty;
import dev.corral.protocol.Protocol;
import dev.corral.protocol.result.SessionView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program the daemon supervises, whatever runs it. The base class owns what every kind shares:
 * the state and the exit (here), the output's replay, screen and clients ({@link FanOut}), the
 * status from output ({@link IdleTimer}) and what {@code ls} shows ({@link SessionDescription});
 * a subclass supplies the terminal ({@link #sink} and {@link #output} feed it) and the kind's own
 * way to type, signal and release.
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

    /** What a session gets from its registry; {@code timers} runs its idle timer and its stall checks. */
    record Context(int replayBytes, long maxQueuedBytes, SessionListener listener, ScheduledExecutorService timers,
            Duration idleAfter) {}

    protected final SessionSpec spec;
    private final String id;
    private final Instant createdAt;
    /** What the terminal shows, fed with every output byte; attach redraws from it. */
    private final Screen screen;
    private final Context context;
    private final FanOut fanOut;
    private final IdleTimer idle;
    private final Lifecycle life = new Lifecycle();
    private final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Readiness readiness = new Readiness();
    private final SessionTerminal terminal = new SessionTerminal();
    private final SessionStream stream;

    Session(SessionSpec spec, String id, Instant createdAt, Context context) {
        this.spec = spec;
        this.id = id;
        this.createdAt = createdAt;
        this.context = context;
        this.screen = new Screen(spec.cols(), spec.rows(), scrollbackLines());
        this.fanOut = new FanOut(new ReplayBuffer(context.replayBytes()), screen, context.timers());
        this.idle = new IdleTimer(this, context.listener(), context.timers(), context.idleAfter());
        this.stream = new SessionStream(this, fanOut, idle, context);
        fanOut.onResume(terminal::resume);
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
        return readiness.agent();
    }

    /** Set once, before the program starts. */
    public final void agent(String profile) {
        readiness.agent(profile);
    }

    /** starting, awaiting-input, ready, stuck or exited (before it was ready) for an agent session; null for others. */
    public final String readiness() {
        return readiness.state();
    }

    final String stuckOn() {
        return readiness.stuckOn();
    }

    /**
     * Moves the readiness on; {@code screen} is the text on screen when it is {@code stuck} or {@code exited}.
     * Listeners hear of every change.
     */
    public final void readiness(String state, String screen) {
        if (!readiness.move(state, screen)) {
            return;
        }
        log.info("session {} is {}", name(), state);
        context.listener().readinessChanged(this);
    }

    /** The program's process id, or -1 when it has none (yet, or any more). */
    public abstract long pid();

    /** The terminal this session streams (see {@link SessionTerminal}), or null. */
    final Pty terminal() {
        return terminal.get();
    }

    final void terminal(Pty pty) {
        terminal.set(pty);
    }

    final FanOut fanOut() {
        return fanOut;
    }

    /** Types into the program. Returns false when its input queue is full (it is not reading). */
    public boolean write(byte[] bytes) {
        return write(ByteBuffer.wrap(bytes));
    }

    /**
     * Types into the program from the caller's thread (a client's event loop), never waiting. Attached
     * clients type through this one: a kind that types elsewhere (tmux) overrides both.
     */
    public boolean write(ByteBuffer bytes) {
        return running() && terminal.write(bytes);
    }

    /** Text typed without attaching; {@code enter} presses Return after it. */
    public boolean send(String text, boolean enter) throws Refusal {
        return write((enter ? text + "\r" : text).getBytes(StandardCharsets.UTF_8));
    }

    /** Held to {@link Protocol#MAX_TERMINAL_SIZE} whoever asks (stream mode, attach, the web view). */
    public void resize(int cols, int rows) {
        if (running()) {
            terminal.resize(cols, rows, screen);
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
    public byte[] tail(int bytes) throws Refusal {
        return fanOut.replay(bytes);
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
        return running() ? terminal.size(spec.cols(), spec.rows()) : new int[] {spec.cols(), spec.rows()};
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
        terminal.signal(signal, name());
    }

    /** Kind-specific fields of {@link #describe}. */
    void describeKind(Map<String, Object> object) {}

    /** Completes with the exit status, or null when the program was lost without one. */
    public final CompletableFuture<Integer> exit() {
        return life.exit();
    }

    public final State state() {
        return life.state();
    }

    public final boolean running() {
        return life.running();
    }

    public final Integer exitCode() {
        return life.exitCode();
    }

    public final Instant endedAt() {
        return life.endedAt();
    }

    final void markRunning() {
        if (life.start()) {
            idle.start();
        }
    }

    public final Status status() {
        return idle.status();
    }

    /**
     * Whether the program's screen waits for a person (a question nobody answers, an empty ready
     * prompt), as the agent's watcher reads it: the status is needs-input for as long as it does,
     * whatever the program redraws meanwhile.
     */
    public final void inputWanted(boolean wanted) {
        idle.inputWanted(wanted);
    }

    /**
     * What a terminal's I/O feeds (on its thread: the PTY event loop, or a reader thread): output
     * goes to {@link #output(Chunk, byte[], int)}, and the end to {@code ended} on the
     * {@link SessionEnds} thread, since what hears of an end writes files.
     */
    final Pty.Sink sink(IntConsumer ended) {
        return stream.sink(ended);
    }

    /** Terminal output: kept for replay and the screen, sent to every client; false while all are behind. */
    final boolean output(Chunk chunk, byte[] bytes, int length) {
        return stream.output(chunk, bytes, length);
    }

    /** Output that comes as arrays, on a reader thread of its own: it waits there while every client is behind. */
    final void output(byte[] buffer, int length) {
        stream.output(buffer, length);
    }

    /**
     * The program ended: with its status ({@link State#EXITED}), or without one because it was
     * lost ({@link State#LOST}, code null). Every attached client gets the status and is closed.
     */
    final void ended(State how, Integer code, Instant when) {
        if (!life.end(how, code, when)) {
            return;
        }
        Status before = idle.ended();
        stream.ended(code);
        if (how == State.LOST) {
            log.warn("session {} was lost: its program ended while no daemon watched it, status unknown", name());
        } else {
            log.info("session {} exited with status {}", name(), code);
        }
        context.listener().ended(this);
        // No change can follow this one (nothing changes an ended session).
        context.listener().statusChanged(this, before, Status.EXITED);
        life.complete();
    }

    /** A session read back from the store that had already ended: no log line, no event. */
    final void restoreEnded(State how, Integer code, Instant when) {
        life.end(how, code, when);
        idle.ended();
        fanOut.close();
        life.complete();
    }

    /**
     * True for a stream that is not a terminal's (a container's log read once): its client gets
     * the bytes as they are, with no redraw before them.
     */
    boolean rawStream() {
        return false;
    }

    public final Attachment attach(AttachedClient client, boolean readOnly, boolean withReplay) {
        return attach(client, readOnly, withReplay, 0);
    }

    /**
     * Adds a client: a redraw made from the screen model first (the last {@code scrollbackLines}
     * scrollback lines, the cells, the modes and the cursor; only the modes without the replay),
     * then live output, with nothing lost or repeated at the seam because both happen under the
     * lock the output path takes. Raw bytes are never replayed, so a query a program once wrote
     * is never asked of a later client.
     */
    public final Attachment attach(AttachedClient client, boolean readOnly, boolean withReplay, int scrollbackLines) {
        return stream.attach(client, readOnly, withReplay, scrollbackLines);
    }

    final void detach(Attachment attachment, String reason) {
        if (stream.detach(attachment, reason)) {
            lastClientLeft();
        }
    }

    final int attached() {
        return fanOut.attached();
    }

    /** What {@code ls} and {@code show} print: the SPEC's session object. */
    public final synchronized SessionView describe() {
        return SessionDescription.of(this);
    }
}
