package dev.corral.daemon.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.pty4j.PtyProcessBuilder;
import dev.corral.daemon.container.AgentImage;
import dev.corral.daemon.container.ContainerEngine;
import dev.corral.daemon.container.ContainerEvents;
import dev.corral.daemon.container.ContainerLaunch;
import dev.corral.daemon.container.ContainerSettings;
import dev.corral.daemon.container.EngineException;
import dev.corral.daemon.container.Labels;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every session of this daemon, by name, whatever its kind. Enforces the cap on live sessions,
 * records each session on disk so a restarted daemon finds it again, and reaps exited sessions
 * once their grace period has passed (a timer per exit, no polling).
 */
public final class SessionRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Limits and timings, set by the daemon's flags. */
    public record Limits(int maxLive, int replayBytes, long clientQueueBytes, Duration exitGrace, Duration idleAfter) {
        public static Limits defaults() {
            return new Limits(64, 64 * 1024, 8L * 1024 * 1024, Duration.ofMinutes(30), Duration.ofSeconds(5));
        }
    }

    private final Limits limits;
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    private final Session.Context context;
    private final SessionStore store;
    private final Tmux tmux;
    private final ContainerEngine engine;
    private final AgentImage images;
    /** This daemon's value of the owner label on its containers. */
    private final String owner;
    /** Per container session, the files it mounts (git pointers), by session id. */
    private final Path containerFiles;
    private final ScheduledThreadPoolExecutor timers = timers();
    /**
     * The reaper of each ended session, cancelled when the session is forgotten sooner: a reaper
     * left in the queue would hold the session (and its replay) for the whole grace period.
     */
    private final Map<Session, ScheduledFuture<?>> reapers = new HashMap<>();
    /**
     * Taken around every write and delete of a session's record, with the check that the session
     * is still registered: so a removed session's record is never written again (by its exit
     * handler, say), and {@code rm} stays final across a restart. Not the registry's own lock,
     * which event loops take to list sessions and must not wait for a disk.
     */
    private final Object records = new Object();
    private int generated;
    /** The daemon's environment as its sessions inherit it. */
    private final Map<String, String> environment;
    /** The engine's events about this daemon's containers; null until the daemon asks for them. */
    private volatile ContainerEvents containerEvents;

    private static ScheduledThreadPoolExecutor timers() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "session-timers");
            thread.setDaemon(true);
            return thread;
        });
        // A cancelled timer (a reaper, an idle check) leaves the queue at once, and what it refers to with it.
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /**
     * @param stateDir where session records live ({@code sessions/}) and tmux's config
     * @param socket   corral's socket: the private tmux server's socket is derived from it
     * @param containers how the Docker engine is reached for container sessions
     */
    public SessionRegistry(Limits limits, Path stateDir, Path socket, ObjectMapper mapper, Map<String, String> environment,
            ContainerSettings containers) {
        this.limits = limits;
        this.environment = Map.copyOf(environment);
        this.context = new Session.Context(limits.replayBytes(), limits.clientQueueBytes(), new Broadcast(), timers,
                limits.idleAfter());
        this.store = new SessionStore(stateDir.resolve("sessions"), mapper);
        this.tmux = new Tmux(socket.resolveSibling(socket.getFileName() + ".tmux"), stateDir.resolve("tmux").resolve("tmux.conf"),
                environment);
        this.engine = new ContainerEngine(containers, environment);
        this.images = new AgentImage(engine, stateDir.resolve("image-builds"));
        this.owner = Labels.owner(stateDir);
        this.containerFiles = stateDir.resolve("containers");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            timers.scheduleWithFixedDelay(this::watchTmuxPrograms, 2, 2, TimeUnit.SECONDS);
        }
        timers.scheduleWithFixedDelay(this::keepPtyOutput, 1, 1, TimeUnit.SECONDS);
    }

    private void watchTmuxPrograms() {
        for (Session session : list(false)) {
            if (session instanceof TmuxSession tmuxSession) {
                tmuxSession.watchdog();
            }
        }
    }

    public Limits limits() {
        return limits;
    }

    /** Publishes the engine's events about this daemon's containers to {@code sink}, from the first container session on. */
    public void publishContainerEvents(ContainerEvents.Sink sink) {
        containerEvents = new ContainerEvents(engine, owner, sink,
                () -> list(false).stream().anyMatch(s -> s instanceof ContainerSession && s.running()));
    }

    private void containersInUse() {
        ContainerEvents events = containerEvents;
        if (events != null) {
            events.ensureRunning();
        }
    }

    /** The Docker engine container sessions run in. */
    public ContainerEngine engine() {
        return engine;
    }

    /** Builds and checks the agent image. */
    public AgentImage images() {
        return images;
    }

    /** Hears every session's life from now on. */
    public void listen(SessionListener listener) {
        listeners.add(listener);
    }

    /** pty4j's first spawn in a JVM loads its native library (about a second here): do it now. */
    public void warmUp() {
        Thread thread = new Thread(() -> {
            try {
                dev.corral.daemon.terminal.Pty.ioMode(); // logs which I/O serves terminals
                new PtyProcessBuilder(new String[] {"/bin/true"}).setConsole(false).start().waitFor();
            } catch (Exception | LinkageError e) {
                if (!shuttingDown()) {
                    log.warn("PTY support failed to load; spawning sessions will fail: {}", e.toString());
                }
            }
        }, "pty-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** True once the JVM has begun to exit (a shutdown hook can no longer be added). */
    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /**
     * Finds the sessions an earlier daemon left: tmux sessions are adopted again, PTY sessions
     * that were running died with it and are marked lost. Call once, before serving.
     */
    public void restore() {
        List<SessionStore.Entry> entries = new ArrayList<>(store.load());
        Map<String, Tmux.Pane> panes = null;
        boolean tmuxAnswered = true;
        if (Files.exists(tmux.socket()) || entries.stream().anyMatch(e -> e.spec().kind() == SessionSpec.Kind.TMUX)) {
            try {
                panes = new HashMap<>();
                for (Tmux.Pane pane : tmux.panes()) {
                    panes.putIfAbsent(pane.session(), pane);
                }
            } catch (IOException | SessionException e) {
                tmuxAnswered = false;
                log.warn("tmux did not answer while adopting sessions ({}); they stay unknown until it does", e.getMessage());
            }
            adoptUnrecorded(entries, panes);
        }
        if (entries.isEmpty()) {
            return;
        }
        Map<String, ContainerEngine.Listed> containers = new HashMap<>();
        boolean engineAnswered = true;
        if (entries.stream().anyMatch(e -> e.spec().kind() == SessionSpec.Kind.CONTAINER)) {
            try {
                for (ContainerEngine.Listed listed : engine.listOwned(owner)) {
                    containers.put(listed.name(), listed);
                }
                containersInUse();
            } catch (EngineException e) {
                engineAnswered = false;
                log.warn("the Docker engine did not answer while adopting containers ({}); they stay unknown until it does",
                        e.getMessage());
            }
        }
        for (SessionStore.Entry entry : entries) {
            SessionSpec spec = entry.spec();
            boolean ended = entry.state() == Session.State.EXITED || entry.state() == Session.State.LOST;
            Session session;
            boolean endedBefore = false;
            if (spec.kind() == SessionSpec.Kind.TMUX) {
                TmuxSession adopted = new TmuxSession(spec, entry.id(), entry.createdAt(), context, tmux, timers);
                session = adopted;
                registerRestored(session);
                adopted.agent(entry.agent());
                Tmux.Pane pane = panes == null ? null : panes.get(spec.name());
                if (ended && (pane == null || pane.dead())) {
                    adopted.restoreEnded(pane, entry.state(), entry.exitCode(), entry.endedAt());
                    endedBefore = true;
                } else if (!tmuxAnswered) {
                    adopted.unknown();
                } else if (pane != null) {
                    adopted.open(pane);
                } else {
                    adopted.ended(Session.State.LOST, null, Instant.now());
                }
            } else if (spec.kind() == SessionSpec.Kind.CONTAINER) {
                ContainerSession adopted = new ContainerSession(spec, entry.id(), entry.createdAt(), context, engine, timers,
                        containerFiles);
                session = adopted;
                registerRestored(session);
                ContainerEngine.Listed listed = containers.get(adopted.container());
                if (ended && (listed == null || !listed.running())) {
                    adopted.restoreEnded(entry.state(), entry.exitCode(), entry.endedAt());
                    endedBefore = true;
                } else if (!engineAnswered) {
                    adopted.unknown();
                } else if (listed != null) {
                    adopted.adopt(listed);
                } else {
                    adopted.ended(Session.State.LOST, null, Instant.now());
                }
            } else {
                PtySession lost = new PtySession(spec, entry.id(), entry.createdAt(), context);
                session = lost;
                registerRestored(session);
                lost.agent(entry.agent());
                lost.restoreKept(entry.pid(), store.loadOutput(spec.name()));
                if (ended) {
                    lost.restoreEnded(entry.state(), entry.exitCode(), entry.endedAt());
                    endedBefore = true;
                } else {
                    lost.ended(Session.State.LOST, null, Instant.now());
                }
            }
            if (session.running()) {
                log.info("session {} ({}) adopted again, pid {}", spec.name(), spec.kind().wire(), session.pid());
                listeners.forEach(l -> l.adopted(session));
                saveIfRegistered(session);
            } else if (endedBefore) {
                scheduleReap(session);
            }
        }
    }

    /**
     * tmux sessions that carry corral's marker but have no record (the daemon died between
     * creating one and recording it) are adopted from the record they carry.
     */
    private void adoptUnrecorded(List<SessionStore.Entry> entries, Map<String, Tmux.Pane> panes) {
        if (panes == null) {
            return;
        }
        java.util.Set<String> recorded = new java.util.HashSet<>();
        entries.forEach(entry -> recorded.add(entry.spec().name()));
        for (Tmux.Pane pane : panes.values()) {
            if (pane.marker().isEmpty() || recorded.contains(pane.session())) {
                continue;
            }
            try {
                SessionStore.Entry entry = store.parseRecord(pane.marker());
                if (entry.spec().kind() == SessionSpec.Kind.TMUX && entry.spec().name().equals(pane.session())) {
                    log.warn("tmux session {} has no record (the daemon stopped while starting it); adopted by its marker",
                            pane.session());
                    entries.add(entry);
                }
            } catch (IOException | RuntimeException e) {
                log.warn("tmux session {} carries an unreadable marker ({}); left alone", pane.session(), e.getMessage());
            }
        }
    }

    /** Before its state is set: a session found lost is recorded (and reaped) as a registered one. */
    private synchronized void registerRestored(Session session) {
        sessions.put(session.name(), session);
    }

    /** Reserves the name, then starts the program (blocking: call off the event loop). */
    public Session spawn(SessionSpec requested) throws SessionException {
        return spawn(requested, session -> {});
    }

    /** Prepares a new session before its program starts (it sees every byte of output). */
    public interface Preparation {
        void prepare(Session session) throws SessionException;
    }

    /**
     * Reserves the name, lets {@code preparation} see the new session, then starts the program
     * (blocking: call off the event loop).
     */
    public Session spawn(SessionSpec requested, Preparation preparation) throws SessionException {
        if (requested.kind() == SessionSpec.Kind.CONTAINER && requested.container().memory() == null) {
            requested = requested.withContainer(requested.container().withMemory(ContainerLaunch.automaticMemory(engine.memoryTotal())));
        }
        Session session;
        Session replaced = null;
        SessionSpec spec;
        synchronized (this) {
            long live = sessions.values().stream().filter(Session::running).count();
            if (live >= limits.maxLive()) {
                throw new SessionException(ErrorCode.CONFLICT, "session cap reached: " + live
                        + " live sessions (the daemon's --max-sessions); remove or end one first");
            }
            spec = requested.name() == null ? requested.withName(generateName(requested)) : requested;
            if (!NAME.matcher(spec.name()).matches()) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "session name '" + spec.name()
                        + "' is not allowed: use letters, digits, '.', '_' or '-' (at most 64)");
            }
            if (spec.kind() == SessionSpec.Kind.TMUX) {
                Tmux.checkName(spec.name());
            }
            Session existing = sessions.get(spec.name());
            if (existing != null && existing.running()) {
                throw new SessionException(ErrorCode.CONFLICT, "session '" + spec.name() + "' is already up ("
                        + existing.kind() + ", pid " + existing.pid() + "); attach with 'corral attach " + spec.name()
                        + "' or choose another --name");
            }
            if (!Files.isDirectory(spec.cwd())) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "working directory " + spec.cwd()
                        + (Files.exists(spec.cwd()) ? " is not a directory" : " does not exist"));
            }
            session = switch (spec.kind()) {
                case TMUX -> new TmuxSession(spec, newId(), Instant.now(), context, tmux, timers);
                case CONTAINER -> new ContainerSession(spec, newId(), Instant.now(), context, engine, timers, containerFiles);
                case PTY -> new PtySession(spec, newId(), Instant.now(), context);
            };
            replaced = existing;
            sessions.put(spec.name(), session);
        }
        if (session instanceof ContainerSession) {
            containersInUse();
        }
        try {
            if (replaced != null) {
                // An ended session of that name gives way to the new one.
                cancelReaper(replaced);
                replaced.discard();
                log.info("session {} replaced: the earlier one had ended", spec.name());
                Session gone = replaced;
                listeners.forEach(l -> l.removed(gone));
            }
            preparation.prepare(session);
            start(session, requested);
        } catch (SessionException | RuntimeException e) {
            synchronized (this) {
                sessions.remove(spec.name(), session);
            }
            session.discard();
            throw e;
        }
        String unrecorded = saveIfRegistered(session);
        if (unrecorded != null) {
            session.warn(unrecorded);
        }
        log.info("session {} started: {} {} (pid {})", session.name(), spec.kind().wire(), spec.command(), session.pid());
        listeners.forEach(l -> l.spawned(session));
        return session;
    }

    private void start(Session session, SessionSpec requested) throws SessionException {
        Map<String, String> env = new HashMap<>(requested.env());
        env.put("CORRAL_SESSION", session.name());
        if (session.agent() != null) {
            env.put("CORRAL_AGENT", session.agent());
        }
        try {
            if (session instanceof TmuxSession tmuxSession) {
                tmux.binary();
                tmuxSession.start(env, store.record(session));
            } else if (session instanceof ContainerSession containerSession) {
                startContainer(containerSession, requested);
            } else {
                Map<String, String> environment = new HashMap<>(this.environment);
                environment.putAll(env);
                environment.put("TERM", "xterm-256color");
                requireProgram(requested.command().get(0), environment, requested.cwd());
                ((PtySession) session).start(environment);
            }
        } catch (Tmux.Unanswered e) {
            throw new SessionException(ErrorCode.UNAVAILABLE, "tmux failed to start session '" + session.name() + "': "
                    + e.getMessage());
        } catch (IOException e) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "cannot start " + requested.command().get(0) + ": " + e.getMessage());
        }
    }

    /**
     * A program that cannot be run is refused with words before the fork: pty4j would only say
     * "Exec_tty error: Unknown reason" once the child failed to exec.
     */
    static void requireProgram(String program, Map<String, String> environment, Path cwd) throws SessionException {
        if (program.contains("/")) {
            Path path = cwd.resolve(program);
            if (!Files.exists(path)) {
                throw new SessionException(ErrorCode.MISSING_DEPENDENCY, "cannot start " + program + ": no such file");
            }
            if (Files.isDirectory(path) || !Files.isExecutable(path)) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "cannot start " + program + ": "
                        + (Files.isDirectory(path) ? "it is a directory" : "it is not executable"));
            }
            return;
        }
        String searchPath = environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : searchPath.split(":")) {
            Path candidate = (dir.isEmpty() ? cwd : cwd.resolve(dir)).resolve(program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return;
            }
        }
        throw new SessionException(ErrorCode.MISSING_DEPENDENCY, "cannot start " + program + ": no such command on the daemon's PATH ("
                + searchPath + "); give its full path or install it");
    }

    /**
     * Checks the image (present, or a refusal saying how to build it; stale, a warning), then
     * creates and starts the container. Never pulls: an image not in the engine is refused.
     */
    private void startContainer(ContainerSession session, SessionSpec requested) throws SessionException {
        SessionSpec spec = session.spec();
        if (spec.workspace() == null) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "a container session needs a workspace: corral spawn --kind container --workspace DIR");
        }
        String image = spec.container().image();
        try {
            Map<String, String> labels = engine.imageLabels(image).orElseThrow(() -> new EngineException(
                    ErrorCode.MISSING_DEPENDENCY, "image " + image + " is not in the Docker engine at " + engine.address()
                            + " (corral never pulls one); build it with '" + buildCommand(image) + "', or name another with --image"));
            images.staleness(image, labels).ifPresent(warning -> {
                log.warn("session {}: {}", spec.name(), warning);
                session.warn(warning);
            });
            ContainerLaunch.Plan plan = ContainerLaunch.plan(new ContainerLaunch.Request(session.container(), spec.name(),
                    session.id(), owner, spec.workspace(), spec.cwd(), image, spec.container().memory(), spec.container().issue(),
                    requested.env(), spec.command(), session.fixups(), spec.container().files()), engine.settings());
            session.start(plan.args());
        } catch (EngineException e) {
            throw new SessionException(e.code(), e.getMessage());
        }
    }

    /**
     * The programs of {@code binaries} the image lacks, by one {@code docker run --rm} of its
     * {@code sh}: an agent's CLI is looked for where it will run, not on the host.
     */
    public List<String> missingInImage(String image, List<String> binaries) throws SessionException {
        if (binaries.isEmpty()) {
            return List.of();
        }
        try {
            engine.imageLabels(image).orElseThrow(() -> new EngineException(ErrorCode.MISSING_DEPENDENCY, "image " + image
                    + " is not in the Docker engine at " + engine.address() + " (corral never pulls one); build it with '"
                    + buildCommand(image) + "', or name another with --image"));
            List<String> args = new ArrayList<>(List.of("--rm", "--pull=never", "--network", "none", "--entrypoint", "sh", image,
                    "-c", "for b in \"$@\"; do command -v \"$b\" >/dev/null 2>&1 || echo \"$b\"; done", "sh"));
            args.addAll(binaries);
            ContainerEngine.Result result = engine.runOnce(args);
            if (result.code() != 0) {
                throw new SessionException(ErrorCode.UNAVAILABLE, "could not look for " + binaries + " in image " + image
                        + " (docker run --entrypoint sh): " + result.output().strip());
            }
            return result.out().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        } catch (EngineException e) {
            throw new SessionException(e.code(), e.getMessage());
        }
    }

    private static String buildCommand(String image) {
        if (image.startsWith(AgentImage.REPOSITORY + ":")) {
            String tag = image.substring(AgentImage.REPOSITORY.length() + 1);
            return tag.equals(AgentImage.DEFAULT_TAG) ? "corral image build" : "corral image build --tag " + tag;
        }
        return "docker build --tag " + image + " DIR";
    }

    /** The container of a container session, or a refusal naming what the session is instead. */
    public String containerOf(Session session) throws SessionException {
        if (session instanceof ContainerSession containerSession) {
            return containerSession.container();
        }
        throw new SessionException(ErrorCode.BAD_REQUEST, "session '" + session.name() + "' is a " + session.kind()
                + " session, not a container; 'corral container ps' lists the containers");
    }

    /** Every container of this daemon that the engine holds, running or not: one {@code docker ps -a}. */
    public List<ContainerEngine.Listed> containers() throws SessionException {
        try {
            return engine.listOwned(owner);
        } catch (EngineException e) {
            throw new SessionException(e.code(), e.getMessage());
        }
    }

    /**
     * A reading of a container session's log, to be attached to one client and then begun; it
     * belongs to that client and is never listed.
     */
    public ContainerLog containerLog(Session session, boolean follow, Integer tail) throws SessionException {
        String container = containerOf(session);
        List<String> args = new ArrayList<>(List.of("logs"));
        if (follow) {
            args.add("--follow");
        }
        args.add("--tail");
        args.add(tail == null ? "all" : tail.toString());
        args.add(container);
        try {
            List<String> argv = engine.argv(args);
            SessionSpec spec = new SessionSpec("logs-" + session.name(), SessionSpec.Kind.CONTAINER, argv,
                    session.spec().cwd(), Map.of(), session.spec().cols(), session.spec().rows());
            return new ContainerLog(spec, newId(), new Session.Context(limits.replayBytes(), limits.clientQueueBytes(),
                    SessionListener.NONE, timers, limits.idleAfter()), argv, engine.environment());
        } catch (EngineException e) {
            throw new SessionException(e.code(), e.getMessage());
        }
    }

    /**
     * A shell in a running container session: {@code docker exec -it} in a PTY session of its own
     * (named NAME-shell, NAME-shell-2, ...), attachable like any session.
     */
    public Session openShell(Session session) throws SessionException {
        String container = containerOf(session);
        if (!session.running()) {
            throw new SessionException(ErrorCode.CONFLICT, "session '" + session.name() + "' has exited; its container "
                    + container + " runs nothing to open a shell in");
        }
        String name = session.name() + "-shell";
        synchronized (this) {
            for (int n = 2; sessions.containsKey(name); n++) {
                name = session.name() + "-shell-" + n;
            }
        }
        List<String> argv;
        try {
            argv = engine.argv(List.of("exec", "--interactive", "--tty", "--detach-keys", ContainerEngine.DETACH_KEYS,
                    "--env", "CORRAL_SESSION=" + name, "--env", "TERM=xterm-256color", container,
                    "sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi"));
        } catch (EngineException e) {
            throw new SessionException(e.code(), e.getMessage());
        }
        Map<String, String> env = new HashMap<>();
        if (engine.environment().containsKey("DOCKER_HOST")) {
            env.put("DOCKER_HOST", engine.environment().get("DOCKER_HOST"));
        }
        SessionSpec shell = new SessionSpec(name, SessionSpec.Kind.PTY, argv, session.spec().cwd(), env,
                session.spec().cols(), session.spec().rows(), session.spec().workspace(), null);
        return spawn(shell);
    }

    /** {@code docker commit}: the container session's filesystem as the image {@code corral-agent:TAG}. */
    public Map<String, Object> snapshot(Session session, String tag) throws SessionException {
        String container = containerOf(session);
        String image = AgentImage.REPOSITORY + ":" + tag;
        try {
            // The container's own labels would pass to the image and so to every container made
            // from it: blank them, and say where the image came from.
            String change = "LABEL " + Labels.SNAPSHOT_OF + "=" + session.name();
            for (String label : List.of(Labels.OWNER, Labels.SESSION, Labels.SESSION_ID, Labels.TASK, Labels.ISSUE, Labels.WORKSPACE)) {
                change += " " + label + "=\"\"";
            }
            String id = engine.commit(container, image, List.of(change));
            log.info("container {} of session {} saved as {} ({})", container, session.name(), image, id);
            return Map.of("name", session.name(), "container", container, "image", image, "id", id);
        } catch (EngineException e) {
            throw new SessionException(e.code(), e.getMessage());
        }
    }

    private String generateName(SessionSpec spec) {
        if (spec.kind() == SessionSpec.Kind.CONTAINER && spec.command().isEmpty()) {
            String task = spec.workspace() == null || spec.workspace().getFileName() == null ? "container"
                    : spec.workspace().getFileName().toString();
            return numbered(task);
        }
        String word = Path.of(spec.command().get(0)).getFileName().toString();
        // tmux would rename a session with a '.' (node.js-1 to node_js-1).
        return numbered(spec.kind() == SessionSpec.Kind.TMUX ? word.replace('.', '-') : word);
    }

    private String numbered(String word) {
        String base = word.replaceAll("[^A-Za-z0-9._-]", "")
                .replaceFirst("^[^A-Za-z0-9]+", "");
        base = base.substring(0, Math.min(base.length(), 48));
        if (base.isEmpty()) {
            base = "session";
        }
        String name;
        do {
            name = base + "-" + (++generated);
        } while (sessions.containsKey(name));
        return name;
    }

    /** Whether {@code name} is one a session may have. */
    static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static String newId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    public synchronized Optional<Session> find(String name) {
        return Optional.ofNullable(sessions.get(name));
    }

    public Session require(String name) throws SessionException {
        return find(name).orElseThrow(() -> new SessionException(ErrorCode.NO_SUCH_SESSION,
                "no session named '" + name + "'; 'corral ls --all' lists them"));
    }

    public synchronized List<Session> list(boolean all) {
        List<Session> listed = new ArrayList<>();
        for (Session session : sessions.values()) {
            if (all || session.running()) {
                listed.add(session);
            }
        }
        return listed;
    }

    /** Sends a signal to a live session's program. */
    public void kill(Session session, String signal) throws SessionException {
        String name = Signals.canonical(signal);
        if (!session.running()) {
            throw new SessionException(ErrorCode.CONFLICT, "session '" + session.name() + "' has already exited"
                    + (session.exitCode() == null ? "" : " with status " + session.exitCode()));
        }
        try {
            session.signal(name);
        } catch (IOException e) {
            // The program may have ended between the check above and the signal: its exit is on its way.
            if (endsWithin(session, Duration.ofSeconds(2))) {
                throw new SessionException(ErrorCode.CONFLICT, "session '" + session.name() + "' has already exited"
                        + (session.exitCode() == null ? "" : " with status " + session.exitCode()));
            }
            throw new SessionException(ErrorCode.INTERNAL, "could not signal session '" + session.name() + "': " + e.getMessage());
        }
    }

    private static boolean endsWithin(Session session, Duration limit) {
        try {
            session.exit().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Forgets an exited session; a live one only with force (then it is killed first). Answers
     * warnings for the user (its record could not be deleted), usually none.
     */
    public List<String> remove(Session session, boolean force) throws SessionException {
        if (session.running()) {
            if (!force) {
                throw new SessionException(ErrorCode.CONFLICT, "session '" + session.name()
                        + "' is still running; end it with 'corral kill' or use 'corral rm --force'");
            }
            try {
                kill(session, "KILL");
            } catch (SessionException e) {
                if (session.running()) {
                    throw e;
                }
                // It exited just before the KILL: nothing left to kill, so only the removal remains.
            }
            session.exit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> -1).join();
        }
        String undeleted = forget(session, "removed");
        return undeleted == null ? List.of() : List.of(undeleted);
    }

    /** Answers a warning when the session's record could not be deleted, else null. */
    private String forget(Session session, String how) {
        String undeleted;
        synchronized (records) {
            synchronized (this) {
                if (!sessions.remove(session.name(), session)) {
                    return null;
                }
            }
            undeleted = store.delete(session.name());
        }
        cancelReaper(session);
        session.discard();
        log.info("session {} {}", session.name(), how);
        listeners.forEach(l -> l.removed(session));
        return undeleted;
    }

    /** Writes the session's record, unless it was removed (or replaced) meanwhile; answers a warning when it could not be. */
    private String saveIfRegistered(Session session) {
        synchronized (records) {
            if (registered(session)) {
                String unrecorded = store.save(session);
                if (session instanceof PtySession && !session.running()) {
                    store.saveOutput(session.name(), session.outputSnapshot());
                }
                return unrecorded;
            }
            return null;
        }
    }

    private synchronized boolean registered(Session session) {
        return sessions.get(session.name()) == session;
    }

    private void scheduleReap(Session session) {
        Instant ended = session.endedAt() == null ? Instant.now() : session.endedAt();
        long delay = Math.max(0, Duration.between(Instant.now(), ended.plus(limits.exitGrace())).toMillis());
        synchronized (this) {
            if (sessions.get(session.name()) != session || timers.isShutdown()) {
                return;
            }
            try {
                reapers.put(session, timers.schedule(() -> forget(session, "reaped " + limits.exitGrace() + " after it ended"),
                        delay, TimeUnit.MILLISECONDS));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The daemon is stopping; the next one reaps it from its record.
            }
        }
    }

    private void cancelReaper(Session session) {
        ScheduledFuture<?> reaper;
        synchronized (this) {
            reaper = reapers.remove(session);
        }
        if (reaper != null) {
            reaper.cancel(false);
        }
    }

    /**
     * Writes the recent output of each running PTY session that wrote since the last time, so a
     * session lost with a crashed daemon keeps its last screen (at most a second old).
     */
    private void keepPtyOutput() {
        try {
            keepEachPtyOutput();
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again: log, and go on next second.
            log.warn("bug: keeping the output of PTY sessions failed", e);
        }
    }

    private void keepEachPtyOutput() {
        for (Session session : list(false)) {
            if (session instanceof PtySession pty && pty.outputChangedSinceKept()) {
                synchronized (records) {
                    if (registered(session)) {
                        store.saveOutput(session.name(), pty.keepOutput());
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        ContainerEvents events = containerEvents;
        if (events != null) {
            events.close();
        }
        List<Session> live = list(false);
        for (Session session : live) {
            session.daemonStopping();
        }
        // A program that ends on the hangup is recorded as exited with its status, not found lost by the next daemon.
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Session session : live) {
            if (!(session instanceof PtySession)) {
                continue;
            }
            try {
                session.exit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.warn("session {} did not end within {} ms of the hangup; the next daemon will find it lost",
                        session.name(), STOP_GRACE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                // ended some other way; nothing to wait for
            }
        }
    }

    /** How long a stopping daemon waits for its PTY sessions' programs to end after the hangup. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);

    /** The registry hears every session first (to record and reap it), then the listeners. */
    private final class Broadcast implements SessionListener {
        private void each(Consumer<SessionListener> call) {
            for (SessionListener listener : listeners) {
                try {
                    call.accept(listener);
                } catch (RuntimeException e) {
                    log.warn("session listener {} failed: {}", listener.getClass().getSimpleName(), e.toString());
                }
            }
        }

        @Override
        public void attached(Session session, boolean readOnly) {
            each(l -> l.attached(session, readOnly));
        }

        @Override
        public void detached(Session session, String reason) {
            each(l -> l.detached(session, reason));
        }

        @Override
        public void output(Session session, byte[] buffer, int length) {
            each(l -> l.output(session, buffer, length));
        }

        @Override
        public void readinessChanged(Session session) {
            each(l -> l.readinessChanged(session));
        }

        @Override
        public void statusChanged(Session session, Session.Status previous, Session.Status current) {
            each(l -> l.statusChanged(session, previous, current));
        }

        @Override
        public void ended(Session session) {
            saveIfRegistered(session);
            scheduleReap(session);
            each(l -> l.ended(session));
        }
    }
}
