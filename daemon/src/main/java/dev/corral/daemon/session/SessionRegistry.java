package dev.corral.daemon.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.concurrent.OffloadedTimers;
import dev.corral.daemon.concurrent.SerialExecutor;
import dev.corral.daemon.concurrent.WorkerPool;
import dev.corral.daemon.container.AgentImage;
import dev.corral.daemon.container.ContainerEngine;
import dev.corral.daemon.container.ContainerEvents;
import dev.corral.daemon.container.ContainerOperations;
import dev.corral.daemon.container.ContainerSettings;
import dev.corral.daemon.container.Labels;
import dev.corral.protocol.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every session of this daemon, by name, whatever its kind: enforces the cap on live sessions,
 * records each session on disk so a restarted daemon finds it again, and forgets exited sessions
 * once their grace period has passed ({@link Reaper}). What differs between kinds is a
 * {@link SessionKind}; what is asked of the Docker engine is {@link ContainerOperations}.
 */
public final class SessionRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);
    /** Threads for tmux and docker checks, which block up to seconds each (README, "Threads"). */
    private static final int CHECK_THREADS = 16;
    private static final int CHECK_QUEUE = 256;

    /** Limits and timings, set by the daemon's flags. */
    public record Limits(int maxLive, int replayBytes, long clientQueueBytes, Duration exitGrace, Duration idleAfter) {
        public static Limits defaults() {
            return new Limits(64, 64 * 1024, 8L * 1024 * 1024, Duration.ofMinutes(30), Duration.ofSeconds(5));
        }
    }

    /**
     * The registry's threads and clock: {@code timer} only times (idle checks, reapers, periodic
     * checks) and never blocks; {@code checks} runs what blocks (tmux, docker, session files). The
     * registry shuts both down at close. Tests give their own.
     */
    public record Threads(ScheduledExecutorService timer, ExecutorService checks, Clock clock) {
        public static Threads standard() {
            return new Threads(WorkerPool.timer("session-timers"), WorkerPool.create("session-checks", CHECK_THREADS, CHECK_QUEUE),
                    Clock.systemUTC());
        }
    }

    private final Limits limits;
    private final SessionTable table = new SessionTable();
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    /** Every listener in turn, the registry's own hearing of an end first. */
    private final Broadcast broadcast;
    private final Session.Context context;
    private final SessionStore store;
    private final Map<SessionSpec.Kind, SessionKind> kinds = new EnumMap<>(SessionSpec.Kind.class);
    private final ContainerOperations containers;
    private final Threads threads;
    /** The timer, with what it fires handed to the checks pool. */
    private final ScheduledExecutorService checks;
    private final Reaper reaper;
    private final ContainerSessions containerSessions;
    private final SessionRecords records;
    private final Spawns spawns;

    /**
     * @param stateDir where session records live ({@code sessions/}) and tmux's config
     * @param socket   corral's socket: the private tmux server's socket is derived from it
     * @param containers how the Docker engine is reached for container sessions
     */
    public SessionRegistry(Limits limits, Path stateDir, Path socket, ObjectMapper mapper, Map<String, String> environment,
            ContainerSettings containers) {
        this(limits, stateDir, socket, mapper, environment, containers, Threads.standard());
    }

    public SessionRegistry(Limits limits, Path stateDir, Path socket, ObjectMapper mapper, Map<String, String> environment,
            ContainerSettings containerSettings, Threads threads) {
        this.limits = limits;
        this.threads = threads;
        this.checks = new OffloadedTimers(threads.timer(), threads.checks());
        this.broadcast = new Broadcast(listeners, this::endedFirst);
        this.context = new Session.Context(limits.replayBytes(), limits.clientQueueBytes(), broadcast, threads.timer(),
                limits.idleAfter());
        this.store = new SessionStore(stateDir.resolve("sessions"), mapper);
        this.records = new SessionRecords(store, table::registered);
        Map<String, String> inherited = Map.copyOf(environment);
        Tmux tmux = new Tmux(socket.resolveSibling(socket.getFileName() + ".tmux"), stateDir.resolve("tmux").resolve("tmux.conf"),
                inherited);
        ContainerEngine engine = new ContainerEngine(containerSettings, inherited);
        this.containers = new ContainerOperations(engine, new AgentImage(engine, stateDir.resolve("image-builds")),
                Labels.owner(stateDir));
        this.containerSessions = new ContainerSessions(containers, limits, threads.timer(), this::spawn,
                name -> find(name).isPresent());
        kinds.put(SessionSpec.Kind.PTY, new PtyKind(context, store, inherited));
        // Each session's checks run one at a time, as they did on the one timer thread, but sessions side by side.
        Supplier<ScheduledExecutorService> perSession = () -> new OffloadedTimers(threads.timer(), new SerialExecutor(threads.checks()));
        TmuxKind tmuxKind = new TmuxKind(context, store, tmux, perSession);
        kinds.put(SessionSpec.Kind.TMUX, tmuxKind);
        kinds.put(SessionSpec.Kind.CONTAINER, new ContainerKind(context, containers, perSession, stateDir.resolve("containers"),
                containerSessions::inUse));
        this.reaper = new Reaper(checks, limits.exitGrace(), threads.clock(),
                session -> forget(session, "reaped " + limits.exitGrace() + " after it ended"));
        if (Files.isDirectory(Path.of("/proc/self"))) {
            checks.scheduleWithFixedDelay(() -> tmuxKind.watchPrograms(list(false)), 2, 2, TimeUnit.SECONDS);
        }
        checks.scheduleWithFixedDelay(this::keepPtyOutput, 1, 1, TimeUnit.SECONDS);
        this.spawns = new Spawns(kinds, table, limits.maxLive(), reaper, broadcast, records);
    }

    public Limits limits() {
        return limits;
    }

    /** Publishes the engine's events about this daemon's containers to {@code sink}, from the first container session on. */
    public void publishContainerEvents(ContainerEvents.Sink sink) {
        containerSessions.publishEvents(sink, () -> list(false).stream().anyMatch(s -> s instanceof ContainerSession && s.running()));
    }

    /** The Docker engine container sessions run in. */
    public ContainerEngine engine() {
        return containers.engine();
    }

    /** Builds and checks the agent image. */
    public AgentImage images() {
        return containers.images();
    }

    /** Hears every session's life from now on. */
    public void listen(SessionListener listener) {
        listeners.add(listener);
    }

    /** pty4j's first spawn in a JVM loads its native library (about a second here): do it now. */
    public void warmUp() {
        PtyKind.warmUp();
    }

    /**
     * Finds the sessions an earlier daemon left: tmux sessions are adopted again, PTY sessions
     * that were running died with it and are marked lost. Call once, before serving.
     */
    public void restore() {
        List<SessionStore.Entry> entries = new ArrayList<>(store.load());
        kinds.get(SessionSpec.Kind.TMUX).survey(entries);
        if (entries.isEmpty()) {
            return;
        }
        kinds.get(SessionSpec.Kind.CONTAINER).survey(entries);
        for (SessionStore.Entry entry : entries) {
            SessionSpec spec = entry.spec();
            SessionKind kind = kinds.get(spec.kind());
            Session session = kind.create(spec, entry.id(), entry.createdAt());
            // Before its state is set: a session found lost is recorded (and reaped) as a registered one.
            table.put(session);
            boolean endedBefore = kind.adopt(session, entry);
            // Under the lock the end path takes first: an end heard after the adoption, not before.
            if (table.announceIfRunning(session, broadcast::adopted)) {
                log.info("session {} ({}) adopted again, pid {}", spec.name(), spec.kind().wire(), session.pid());
                saveIfRegistered(session);
            } else if (endedBefore) {
                scheduleReap(session);
            }
        }
    }

    /** Reserves the name, then starts the program (blocking: call off the event loop). */
    public Session spawn(SessionSpec requested) throws Refusal {
        return spawn(requested, Preparation.NONE);
    }

    /** Prepares a new session before its program starts (it sees every byte of output). */
    public interface Preparation {
        /** Nothing to prepare. */
        Preparation NONE = session -> {};

        void prepare(Session session) throws Refusal;

        /** This preparation, then {@code next}: an agent's watcher, then the workspace's record of its launch. */
        default Preparation andThen(Preparation next) {
            return session -> {
                prepare(session);
                next.prepare(session);
            };
        }
    }

    /** Registers and announces the session, prepares it, starts its program: see {@link Spawns}. Blocking. */
    public Session spawn(SessionSpec requested, Preparation preparation) throws Refusal {
        return spawns.spawn(requested, preparation);
    }

    // Container sessions: see ContainerSessions.

    public List<String> missingInImage(String image, List<String> binaries) throws Refusal {
        return containerSessions.missingInImage(image, binaries);
    }

    public String containerOf(Session session) throws Refusal {
        return containerSessions.containerOf(session);
    }

    public List<ContainerEngine.Listed> containers() throws Refusal {
        return containerSessions.containers();
    }

    public ContainerLog containerLog(Session session, boolean follow, Integer tail) throws Refusal {
        return containerSessions.containerLog(session, follow, tail);
    }

    public Session openShell(Session session) throws Refusal {
        return containerSessions.openShell(session);
    }

    public Map<String, Object> snapshot(Session session, String tag) throws Refusal {
        return containerSessions.snapshot(session, tag);
    }

    // Names and lookups.

    /** Whether {@code name} is one a session may have. */
    static boolean validName(String name) {
        return SessionNames.valid(name);
    }

    public Optional<Session> find(String name) {
        return table.find(name);
    }

    public Session require(String name) throws Refusal {
        return find(name).orElseThrow(() -> new Refusal(ErrorCode.NO_SUCH_SESSION,
                "no session named '" + name + "'; 'corral ls --all' lists them"));
    }

    public List<Session> list(boolean all) {
        return table.list(all);
    }

    /** Sends a signal to a live session's program. */
    public void kill(Session session, String signal) throws Refusal {
        Signals.deliver(session, signal);
    }

    /**
     * Forgets an exited session; a live one only with force (then it is killed first). Answers
     * warnings for the user (its record could not be deleted), usually none.
     */
    public List<String> remove(Session session, boolean force) throws Refusal {
        if (session.running()) {
            if (!force) {
                throw new Refusal(ErrorCode.CONFLICT, "session '" + session.name()
                        + "' is still running; end it with 'corral kill' or use 'corral rm --force'");
            }
            try {
                kill(session, "KILL");
            } catch (Refusal e) {
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
        SessionRecords.Removal removal = records.remove(session, table::unregister);
        if (!removal.removed()) {
            return null;
        }
        String undeleted = removal.undeleted();
        reaper.cancel(session);
        session.discard();
        log.info("session {} {}", session.name(), how);
        broadcast.removed(session);
        return undeleted;
    }

    private String saveIfRegistered(Session session) {
        return records.saveIfRegistered(session);
    }


    /**
     * A session ended: its record says so and its reaper is set, before any listener hears. Takes
     * the table's lock (in {@link #scheduleReap}), so an announcement under it is heard first.
     */
    private void endedFirst(Session session) {
        saveIfRegistered(session);
        scheduleReap(session);
    }

    private void scheduleReap(Session session) {
        table.ifRegistered(session, reaper::schedule);
    }

    /** Each second: the recent output of running PTY sessions, so one lost with a crashed daemon keeps its last screen. */
    private void keepPtyOutput() {
        try {
            records.keepOutput(list(false));
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again: log, and go on next second.
            log.warn("bug: keeping the output of PTY sessions failed", e);
        }
    }

    @Override
    public void close() {
        threads.timer().shutdownNow();
        threads.checks().shutdownNow();
        containerSessions.close();
        List<Session> live = list(false);
        for (Session session : live) {
            session.daemonStopping();
        }
        // A program that ends on the hangup is recorded as exited with its status, not found lost by the next daemon.
        PtyKind.awaitHangup(live);
    }
}
