package dev.corral.daemon.session;

import dev.corral.daemon.container.ContainerEngine;
import dev.corral.daemon.state.FileTrees;
import dev.corral.daemon.container.EngineException;
import dev.corral.daemon.terminal.Pty;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program in a Docker container that corrald started through the docker CLI. The container
 * outlives the daemon: a restarted daemon finds it again by its labels. As with tmux, the daemon
 * keeps one docker client of its own attached in a PTY it owns (the view) and streams it to
 * corral's clients exactly like a PTY session. A new container's view is {@code docker start -ai},
 * which carries its input and its output from the first byte. Once that client is gone (an
 * adopted container, or a view that left a running one), the output comes from the engine's log
 * instead ({@link ContainerOutput}, one {@code docker logs --follow} stream) and a
 * {@code docker attach} view carries only the input and the terminal's size: an attach cannot say
 * where its bytes begin, the log can. When the output ends, one {@code docker inspect} says
 * whether the container exited, and with what status, or only the view went.
 */
final class ContainerSession extends Session {
    private static final Logger log = LoggerFactory.getLogger(ContainerSession.class);
    /** Log lines an adopted session's replay starts with, so an attach shows the recent screen. */
    private static final int ADOPTED_REPLAY_LINES = 500;

    private final ContainerEngine engine;
    private final ScheduledExecutorService scheduler;
    private final String container;
    private final Path fixups;
    private volatile long containerPid = -1;
    private volatile boolean stopping;
    /** What the engine last said of the container: created, running, exited, absent, or unknown (no answer). */
    private volatile String engineState = "created";
    /** The engine's log as the session's output, once the first view is gone; null until then. */
    private volatile ContainerOutput followed;
    /** When the view that carried the output left: where the log takes over. */
    private volatile Instant viewLeftAt;
    /** Guarded by this: the start is confirmed; until then, the view's end is the spawn's business. */
    private boolean started;
    /** Guarded by this: the view ended before the start was confirmed. */
    private boolean viewGoneEarly;
    /** Guarded by this. */
    private int unanswered;

    /** @param fixupsRoot where each container session keeps the files it mounts (git pointers), by session id */
    ContainerSession(SessionSpec spec, String id, Instant createdAt, Context context, ContainerEngine engine,
            ScheduledExecutorService scheduler, Path fixupsRoot) {
        super(spec, id, createdAt, context);
        this.engine = engine;
        this.scheduler = scheduler;
        this.container = containerName(spec.name(), id);
        this.fixups = fixupsRoot.resolve(id);
    }

    /** The container's name: the session's name and id, unique even when several daemons share an engine. */
    static String containerName(String session, String id) {
        return "corral-" + session + "-" + id;
    }

    String container() {
        return container;
    }

    Path fixups() {
        return fixups;
    }

    /**
     * Creates the container, starts it under the daemon's own client, and returns once its command
     * runs (blocking: call off the event loop). A container that dies before that is a refusal that
     * shows its last log lines.
     */
    void start(List<String> createArgs) throws Refusal {
        ContainerStart.call(() -> engine.create(createArgs));
        List<String> argv = ContainerStart.call(() -> engine.argv(List.of("start", "--attach", "--interactive",
                "--detach-keys", ContainerEngine.DETACH_KEYS, container)));
        try {
            openView(argv, true);
        } catch (IOException e) {
            throw new Refusal(ErrorCode.UNAVAILABLE, "cannot run the docker client for container " + container
                    + ": " + e.getMessage());
        }
        confirmStart();
    }

    /** Waits for the container's command to run (see {@link ContainerStart}); a view gone before that says why it went. */
    private void confirmStart() throws Refusal {
        ContainerEngine.State state = ContainerStart.await(engine, container, () -> {
            synchronized (this) {
                return viewGoneEarly;
            }
        }, this::clientWords, spec.container().image());
        if (state.running()) {
            containerPid = state.pid();
        }
        markRunning();
        engineState = "running";
        boolean gone;
        synchronized (this) {
            started = true;
            gone = viewGoneEarly;
        }
        if (gone) {
            check();
        }
    }

    /** What the daemon's docker client printed (the engine's complaint when the container's log is empty). */
    private String clientWords() {
        try {
            return new String(super.tail(4096), StandardCharsets.UTF_8);
        } catch (Refusal e) {
            return "";
        }
    }

    /**
     * Takes over a container an earlier daemon started: its recent log becomes the replay and a
     * view is attached to a running one; an ended one gets its status.
     */
    void adopt(ContainerEngine.Listed listed) {
        synchronized (this) {
            started = true;
        }
        if (!listed.running()) {
            engineState = listed.state();
            Integer code = listed.exitCode();
            ended(code == null ? State.LOST : State.EXITED, code, Instant.now());
            return;
        }
        markRunning();
        engineState = "running";
        try {
            engine.state(container).ifPresent(state -> containerPid = state.pid());
            // Its recent log, then on: one stream, so nothing written around the adoption is lost or repeated.
            follow(List.of("--tail", Integer.toString(ADOPTED_REPLAY_LINES)));
            openView(engine.argv(attachArgs()), false);
        } catch (EngineException | IOException e) {
            log.warn("cannot attach the daemon's docker client to container {}: {}", container, e.getMessage());
            engineState = "unknown";
            recheckLater();
        }
    }

    /** The engine did not answer when the session was adopted: find out later. */
    void unknown() {
        synchronized (this) {
            started = true;
        }
        markRunning();
        engineState = "unknown";
        recheckLater();
    }

    private List<String> attachArgs() {
        return List.of("attach", "--detach-keys", ContainerEngine.DETACH_KEYS, container);
    }

    /** A docker client in a PTY of the daemon's: its output is the session's unless the log carries it ({@code output} false). */
    private void openView(List<String> argv, boolean output) throws IOException {
        Map<String, String> env = new HashMap<>(engine.environment());
        env.put("TERM", "xterm-256color");
        int[] size = size();
        Path cwd = Files.isDirectory(spec.cwd()) ? spec.cwd() : Path.of("/");
        // The end is heard on the session-end thread; the engine is asked about it on this session's scheduler.
        Pty.Sink sink = sink(code -> scheduler.execute(this::viewEnded));
        Pty pty = Pty.start("docker-" + name(), argv, env, cwd, size[0], size[1], output ? sink : ContainerOutput.inputOnly(sink));
        terminal(pty);
    }

    /** {@code docker logs --follow ARGS} becomes the session's output (blocking: call off the event loop). */
    private void follow(List<String> args) throws EngineException, IOException {
        followed = ContainerOutput.follow(engine, container, args, name(), this::output, () -> scheduler.execute(this::check));
    }

    private void viewEnded() {
        synchronized (this) {
            terminal(null);
            if (!started) {
                viewGoneEarly = true;
                return;
            }
        }
        if (followed == null) {
            viewLeftAt = Instant.now();
        }
        if (!stopping && running()) {
            check();
        }
    }

    /** The session's output has been read to its end: while the log still streams, the container's end waits for it. */
    private boolean outputDrained() {
        ContainerOutput output = followed;
        return output == null || !output.alive();
    }

    /** One question to the engine: has the container exited (with what status), or only the view gone? */
    private void check() {
        if (stopping || !running()) {
            return;
        }
        Optional<ContainerEngine.State> state;
        try {
            state = engine.state(container);
        } catch (EngineException e) {
            synchronized (this) {
                unanswered++;
            }
            engineState = "unknown";
            log.warn("the Docker engine did not answer about container {} ({}); its state is unknown until it does",
                    container, e.getMessage());
            recheckLater();
            return;
        }
        synchronized (this) {
            unanswered = 0;
        }
        if (state.isEmpty() || !state.get().running()) {
            engineState = state.isEmpty() ? "absent" : state.get().status();
            if (!outputDrained()) {
                // The log's last lines are still on their way: its end asks again.
                return;
            }
            if (state.isEmpty()) {
                ended(State.LOST, null, Instant.now());
            } else {
                ended(State.EXITED, state.get().exitCode(), Instant.now());
            }
        } else {
            engineState = "running";
            containerPid = state.get().pid();
            ContainerOutput output = followed;
            if (output != null && !output.alive()) {
                // The log stream ended with the container running (the engine restarted): on from where it stopped.
                try {
                    follow(List.of("--since", output.endedAt().toString()));
                } catch (EngineException | IOException e) {
                    log.warn("cannot follow the log of container {} again: {}", container, e.getMessage());
                    recheckLater();
                }
            }
            if (terminal() == null) {
                // Running, but the view left (killed by hand, or the engine restarted): attach again
                // after a pause, so a client that keeps leaving cannot turn this into a loop.
                scheduler.schedule(this::reattach, 1, TimeUnit.SECONDS);
            }
        }
    }

    private void reattach() {
        if (stopping || !running() || terminal() != null) {
            return;
        }
        try {
            if (followed == null) {
                // The view that carried the output left: the log takes over from that moment. Never
                // viewed (the engine did not answer at adoption): the log from its recent lines on.
                Instant left = viewLeftAt;
                follow(left == null ? List.of("--tail", Integer.toString(ADOPTED_REPLAY_LINES))
                        : List.of("--since", left.toString()));
            }
            openView(engine.argv(attachArgs()), false);
        } catch (EngineException | IOException e) {
            log.warn("cannot attach the daemon's docker client to container {} again: {}", container, e.getMessage());
            recheckLater();
        }
    }

    private void recheckLater() {
        long delay;
        synchronized (this) {
            delay = recheckSeconds(unanswered);
        }
        scheduler.schedule(this::check, delay, TimeUnit.SECONDS);
    }

    @Override
    public String kind() {
        return "container";
    }

    /** The host pid of the container's init. */
    @Override
    public long pid() {
        return containerPid;
    }

    /** The engine signals the container's init, which passes the signal on to the command. */
    @Override
    void signal(String signal) throws IOException {
        try {
            engine.kill(container, signal);
        } catch (EngineException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Forgotten (removed, reaped, replaced, or a failed spawn): the container and its files go too. */
    @Override
    void discard() {
        stopping = true;
        signalTerminal("KILL");
        stopOutput();
        try {
            engine.remove(container);
        } catch (EngineException e) {
            log.warn("could not remove container {}: {}", container, e.getMessage());
        }
        try {
            FileTrees.delete(fixups);
        } catch (IOException e) {
            log.warn("could not remove {}: {}", fixups, e.toString());
        }
    }

    @Override
    void daemonStopping() {
        stopping = true;
        // Only the daemon's own clients go; the container stays for the next daemon.
        signalTerminal("KILL");
        stopOutput();
    }

    private void stopOutput() {
        ContainerOutput output = followed;
        if (output != null) {
            output.stop();
        }
    }

    @Override
    void describeKind(Map<String, Object> object) {
        object.put("container", container);
        object.put("image", spec.container().image());
        object.put("memory", spec.container().memory());
        object.put("issue", spec.container().issue());
        object.put("engine", engine.address());
        object.put("engineState", engineState);
    }
}
