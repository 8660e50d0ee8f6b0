package dev.corral.daemon.workspace;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.concurrent.WorkerPool;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionListener;
import dev.corral.protocol.result.LeaseList;
import dev.corral.protocol.result.Released;
import dev.corral.protocol.result.WorkspaceView;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sessions in workspaces, as the registry reports their lives: the claim at spawn
 * ({@link LeaseClaims}), one heartbeat for every lease this daemon holds ({@link LeaseHeartbeat}),
 * the record at a session's start and end ({@link SessionEndRecorder}, on the {@link WorkQueue}'s
 * thread, never on the thread that noticed the end), and the lease commands ({@link LeaseQueries}).
 * This class keeps which launch belongs to which running session.
 */
public final class Workspaces implements SessionListener, AutoCloseable {
    /** The daemon's flags for leases. */
    public record Settings(Duration leaseTtl, Duration heartbeat, Duration lockTimeout, Manifest.Bounds manifestBounds) {
        public Settings(Duration leaseTtl, Duration heartbeat, Duration lockTimeout) {
            this(leaseTtl, heartbeat, lockTimeout, Manifest.Bounds.defaults());
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(60), Duration.ofSeconds(15), MetadataLock.DEFAULT_TIMEOUT);
        }
    }

    /** What a spawn asked for; {@code mode} is null when an agent's profile will choose the kind. */
    public record Request(Path workspace, String cwd, boolean force, String agent, String mode) {}

    /**
     * The threads and clock of the workspace rooms: {@code heartbeats} ticks the leases,
     * {@code endings} runs end-of-session work one piece at a time. Shut down at close. Tests give their own.
     */
    public record Threads(ScheduledExecutorService heartbeats, ExecutorService endings, Clock clock) {
        public static Threads standard() {
            return new Threads(Executors.newSingleThreadScheduledExecutor(WorkerPool.named("lease-heartbeat")),
                    Executors.newSingleThreadExecutor(WorkerPool.named("workspace-endings")), Clock.systemUTC());
        }
    }

    /** Where lease changes go as events: {@code lease.acquired}, {@code lease.released}, {@code lease.stale}. */
    public interface LeaseEvents {
        void publish(String type, java.util.Map<String, ?> data);
    }

    private final Settings settings;
    private final ObjectMapper mapper;
    private final ScheduledExecutorService heartbeats;
    private final WorkQueue work;
    private final CreatedWorkspaces created;
    private final LeaseClaims claims;
    private final SessionEndRecorder endings;
    private final LeaseQueries queries;
    /** Launches of running sessions, by session id. */
    private final Map<String, WorkspaceClaim> active = new HashMap<>();
    /**
     * Sessions found again after a restart whose launch is still being read back: their end, if
     * it comes meanwhile, is finished by {@link #adopt}, which sees them no longer running.
     */
    private final Set<String> adopting = new HashSet<>();
    private volatile boolean serving;

    public Workspaces(Settings settings, Path stateDir, ObjectMapper mapper) {
        this(settings, stateDir, mapper, Threads.standard());
    }

    public Workspaces(Settings settings, Path stateDir, ObjectMapper mapper, Threads threads) {
        this.settings = settings;
        this.mapper = mapper;
        KnownWorkspaces known = new KnownWorkspaces(stateDir.resolve("workspaces.json"), mapper);
        this.heartbeats = threads.heartbeats();
        this.work = new WorkQueue(threads.endings());
        this.created = new CreatedWorkspaces(known);
        this.claims = new LeaseClaims(settings, mapper, known, work, created, threads.clock());
        this.endings = new SessionEndRecorder(settings, mapper, claims, created, threads.clock());
        LeaseHeartbeat heartbeat = new LeaseHeartbeat(settings, mapper, known, claims, threads.clock(), this::launches);
        this.queries = new LeaseQueries(settings, mapper, known, work, claims, heartbeat, threads.clock(), this::forcedOff);
        long period = settings.heartbeat().toMillis();
        heartbeats.scheduleWithFixedDelay(heartbeat::tick, period, period, TimeUnit.MILLISECONDS);
    }

    private synchronized List<WorkspaceClaim> launches() {
        return List.copyOf(active.values());
    }

    /** The lease of {@code token} was released by force: its session goes on without one. */
    private synchronized void forcedOff(String token) {
        active.values().stream().filter(l -> l.token().equals(token)).forEach(l -> l.ownsLease(false));
    }

    public void publishTo(LeaseEvents sink) {
        claims.publishTo(sink);
    }

    /** Sessions were restored: from now on an end with no launch is of a session spawned without one. */
    public void serving() {
        serving = true;
    }

    public Settings settings() {
        return settings;
    }

    // The spawn.

    /**
     * Everything before the program starts: resolves the workspace and launch directory (refusing
     * escapes), checks and claims the lease (refusing a live one unless forced), captures the start
     * manifest, and gathers the banner and warnings. Blocking: call it on a worker.
     */
    public WorkspaceClaim prepare(Request request) throws Refusal {
        return claims.prepare(request);
    }

    /**
     * The session is registered and its program about to start: the launch is its own from now
     * on (its end, however soon, finds it), the lease names it (no pid yet), heartbeats start,
     * and its start record is queued ahead of anything its end queues.
     */
    public void launching(WorkspaceClaim launch, Session session) {
        launch.session(session);
        launch.mode(session.kind());
        synchronized (this) {
            active.put(session.id(), launch);
        }
        claims.nameSession(launch, session);
        work.queue(launch.root(), () -> endings.writeStart(launch));
    }

    /** The program started: the lease gets its pid. */
    public void started(WorkspaceClaim launch, Session session) {
        claims.namePid(launch, session);
    }

    /** The spawn failed after {@link #prepare}: the claim is withdrawn, a workspace it created removed. */
    public void abandon(WorkspaceClaim launch) {
        Session session = launch.session();
        if (session != null) {
            synchronized (this) {
                active.remove(session.id(), launch);
            }
            work.await(launch.root());
            endings.deleteStart(launch);
        }
        claims.abandon(launch);
    }

    // Sessions' lives, as the registry reports them.

    @Override
    public void spawned(Session session) {
        created.place(session);
    }

    @Override
    public void removed(Session session) {
        created.unplace(session);
    }

    @Override
    public void adopted(Session session) {
        created.place(session);
        Path root = session.spec().workspace();
        if (root == null) {
            return;
        }
        synchronized (this) {
            adopting.add(session.id());
        }
        work.queue(root, () -> adopt(session));
    }

    /** A session found again after a restart: its launch read back, its lease taken over. */
    private void adopt(Session session) {
        MetadataDir meta = new MetadataDir(session.spec().workspace(), mapper, settings.lockTimeout());
        WorkspaceClaim launch = WorkspaceClaim.restore(meta, session);
        claims.takeOver(meta, launch, session);
        boolean ended;
        synchronized (this) {
            adopting.remove(session.id());
            // A session ends (its state) before its listeners hear: one that ended meanwhile is not running.
            ended = !session.running();
            if (!ended) {
                active.put(session.id(), launch);
            }
        }
        if (ended) {
            endings.finish(launch, session, SessionEndRecorder.detectedVia(session, true));
        }
    }

    @Override
    public void ended(Session session) {
        created.unplace(session);
        Path root = session.spec().workspace();
        if (root == null) {
            return;
        }
        WorkspaceClaim launch;
        boolean restoring = !serving;
        synchronized (this) {
            launch = active.remove(session.id());
            if (launch == null && (serving || adopting.contains(session.id()))) {
                // Being adopted: adopt() finishes it. Serving: a session spawned without a launch (a container's shell).
                return;
            }
        }
        String via = SessionEndRecorder.detectedVia(session, !restoring);
        if (launch != null) {
            work.queue(launch.root(), () -> endings.finish(launch, session, via));
        } else {
            work.queue(root, () -> endings.finishRestored(session, via));
        }
    }

    // The lease commands.

    /** Live leases in the known workspaces, after cleaning stale ones (listed in {@code cleaned}). */
    public LeaseList list() {
        return queries.list();
    }

    /** One workspace: its lease (or null) and its last session's summary (or null). */
    public WorkspaceView show(Path dir) throws Refusal {
        return queries.show(dir);
    }

    /**
     * Removes a workspace's lease: a stale one always, a live one only with {@code force} (its
     * session goes on without a lease).
     */
    public Released release(Path dir, boolean force) throws Refusal {
        return queries.release(dir, force);
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        work.close();
    }
}
