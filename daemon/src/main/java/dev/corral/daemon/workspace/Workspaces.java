package dev.corral.daemon.workspace;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionListener;
import dev.corral.daemon.state.OwnedFiles;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.result.Cleaned;
import dev.corral.protocol.result.LeaseList;
import dev.corral.protocol.result.LeaseView;
import dev.corral.protocol.result.Released;
import dev.corral.protocol.result.WorkspaceView;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in workspaces: the checks and the lease at spawn, one heartbeat timer for every lease
 * this daemon holds (which also sweeps the known workspaces for stale leases), and the work at a
 * session's end (end manifest, diff, summary, session log, lease removal, provisional removal).
 * End-of-session work runs on its own thread, one session after another, never on the thread
 * that noticed the end. Every failure there is logged as a warning; the session's exit status is
 * the registry's and is never touched.
 */
public final class Workspaces implements SessionListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Workspaces.class);
    /** How long a spawn or a lease command waits for an ending session's writes in the same workspace. */
    private static final Duration ENDING_WAIT = Duration.ofSeconds(30);

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

    private final Settings settings;
    private final ObjectMapper mapper;
    private final KnownWorkspaces known;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "lease-heartbeat"));
    private final ExecutorService endings = Executors.newSingleThreadExecutor(r -> thread(r, "workspace-endings"));
    /** Launches of running sessions, by session id. */
    private final Map<String, Launch> active = new HashMap<>();
    /** Sessions whose end came before their launch was registered (a program that exits at once). */
    private final Map<String, String> endedEarly = new HashMap<>();
    /** Sessions found again after a restart whose launch is still being read back. */
    private final Set<String> adopting = new HashSet<>();
    /** Every session of the daemon that may still run, by id: a workspace is never removed under one of them. */
    private final Map<String, Session> places = new ConcurrentHashMap<>();
    /** Claims this daemon stands behind: a lease of this daemon with another token is left over. */
    private final Set<String> ownTokens = ConcurrentHashMap.newKeySet();
    /** The latest end-of-session work queued per workspace; later work in it waits for this. */
    private final Map<Path, CompletableFuture<Void>> lastWork = new ConcurrentHashMap<>();
    private volatile boolean serving;

    /** Where lease changes go as events: {@code lease.acquired}, {@code lease.released}, {@code lease.stale}. */
    public interface LeaseEvents {
        void publish(String type, java.util.Map<String, ?> data);
    }

    private volatile LeaseEvents events = (type, data) -> { };

    public void publishTo(LeaseEvents sink) {
        this.events = sink;
    }

    private void event(String type, Path root, String session, String reason) {
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("workspace", root.toString());
        data.put("session", session);
        if (reason != null) {
            data.put("reason", reason);
        }
        events.publish(type, data);
    }

    public Workspaces(Settings settings, Path stateDir, ObjectMapper mapper) {
        this.settings = settings;
        this.mapper = mapper;
        this.known = new KnownWorkspaces(stateDir.resolve("workspaces.json"), mapper);
        long period = settings.heartbeat().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, period, period, TimeUnit.MILLISECONDS);
    }

    private static Thread thread(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Sessions were restored: from now on an end nobody registered is a spawn still in progress. */
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
    public Launch prepare(Request request) throws SessionException {
        Workspace workspace = Workspace.resolve(request.workspace(), request.cwd());
        awaitWork(workspace.root());
        MetadataDir meta = new MetadataDir(workspace.root(), mapper, settings.lockTimeout());
        refuseUnsafe(meta);
        known.add(workspace.root());
        Map<String, Object> last = meta.lastSession().orElse(null);
        Manifest lastManifest = meta.lastManifest().orElse(null);
        String token = Launch.newToken();
        Instant now = Instant.now();
        Claim claim;
        try {
            claim = claim(meta, request, token, now);
        } catch (SessionException e) {
            if (workspace.created() != null) {
                removeCreated(meta, token, null);
            }
            throw e;
        }
        Lease coexisting = claim.shared();
        Manifest start = null;
        String manifestFailure = null;
        String overBound = null;
        try {
            start = Manifest.capture(workspace.root(), lastManifest, settings.manifestBounds());
        } catch (Manifest.OverBound e) {
            overBound = e.getMessage();
            log.info("workspace {} is over the manifest bound ({}): its session runs without a manifest", workspace.root(),
                    overBound);
        } catch (IOException | RuntimeException e) {
            manifestFailure = e.toString();
        }
        Launch launch = new Launch(meta, workspace.launchDir(), token, workspace.created(), request.agent(), request.mode(), now, start);
        launch.noManifest(overBound != null ? "over the manifest bound: " + overBound : manifestFailure);
        launch.ownsLease(claim.owned());
        if (claim.cleaned() != null) {
            launch.notice("info", "cleaned a stale lease in " + workspace.root() + ": " + claim.cleaned());
        }
        if (claim.failure() != null) {
            launch.notice("warning", claim.failure());
        }
        if (last != null) {
            launch.notice("info", SessionSummary.banner(last));
        }
        if (coexisting != null) {
            launch.notice("warning", "workspace " + workspace.root() + " is leased by " + coexisting.describeHolder(now)
                    + "; --force: this session shares it without a lease");
        }
        if (overBound != null) {
            launch.notice("warning", "workspace " + workspace.root() + " is over the manifest bound (" + overBound
                    + "): this session runs without a manifest, so its summary will have no diff");
        } else if (manifestFailure != null) {
            launch.notice("warning", "could not list the files of " + workspace.root() + " (" + manifestFailure
                    + "); this session's summary will have no diff");
        } else if (lastManifest != null && coexisting == null && last != null) {
            ManifestDiff outside = lastManifest.diff(start);
            if (!outside.empty()) {
                launch.notice("warning", "files in " + workspace.root() + " changed since its last session ended ("
                        + last.get("endedAt") + "), outside any corral session: " + outside.counts() + example(outside));
            }
        }
        return launch;
    }

    /**
     * How a spawn's claim went: the lease taken ({@code owned}), a live lease to share under
     * --force ({@code shared}), or no lease because the metadata could not be written
     * ({@code failure}: not a refusal, the session runs without a lease and the reply says so).
     */
    private record Claim(boolean owned, Lease shared, String failure, String cleaned) {}

    /** Takes the lease for {@code token}, cleaning a stale one first; refuses a live one unless forced. */
    private Claim claim(MetadataDir meta, Request request, String token, Instant now) throws SessionException {
        try (MetadataLock lock = meta.lock()) {
            Look look = look(meta, now);
            Lease current = look.live();
            if (current != null) {
                if (!request.force()) {
                    throw new SessionException(ErrorCode.CONFLICT, "workspace " + meta.root() + " is leased by "
                            + current.describeHolder(now) + "; wait for it to end, run 'corral lease release "
                            + meta.root() + "' if it is gone, or spawn with --force to share the workspace without a lease");
                }
                return new Claim(false, current, null, null);
            }
            ownTokens.add(token);
            try {
                meta.writeLease(new Lease(token, null, null, Holder.self(), null, request.agent(), request.mode(), now, now,
                        settings.leaseTtl().toSeconds()));
            } catch (IOException e) {
                ownTokens.remove(token);
                throw e;
            }
            return new Claim(true, null, null, look.cleaned());
        } catch (IOException e) {
            log.warn("no lease for a session in {}: {}", meta.root(), e.getMessage());
            return new Claim(false, null, "could not take the lease of " + meta.root() + " (" + e.getMessage()
                    + "); this session runs without one, so other spawns will not see it", null);
        }
    }

    /** A look at a lease under the lock: the live one (or null), and why a stale one was cleaned (or null). */
    private record Look(Lease live, String cleaned) {}

    /** Reads the lease and cleans it when it is stale or unreadable; the caller holds the lock. */
    private Look look(MetadataDir meta, Instant now) throws IOException {
        Lease lease;
        try {
            lease = meta.lease().orElse(null);
        } catch (IOException e) {
            meta.deleteLease();
            log.warn("stale lease cleaned in {}: its file is unreadable ({})", meta.root(), e.getMessage());
            event("lease.stale", meta.root(), null, "its file was unreadable");
            return new Look(null, "its file was unreadable");
        }
        if (lease == null) {
            return new Look(null, null);
        }
        String stale = lease.staleReason(now, ownTokens);
        if (stale == null) {
            return new Look(lease, null);
        }
        meta.deleteLease();
        event("lease.stale", meta.root(), lease.session(), stale);
        log.info("stale lease cleaned in {}: it named session {} of corrald pid {} on {}, and {}", meta.root(),
                lease.session(), lease.holder().pid(), lease.holder().host(), stale);
        return new Look(null, "the lease of session " + lease.session() + " (corrald pid " + lease.holder().pid()
                + " on " + lease.holder().host() + "): " + stale);
    }

    private static String example(ManifestDiff diff) {
        List<String> some = new ArrayList<>(diff.modified());
        some.addAll(diff.added());
        some.addAll(diff.removed());
        return " (" + String.join(", ", some.subList(0, Math.min(3, some.size()))) + (some.size() > 3 ? ", ..." : "") + ")";
    }

    /** The program is running: the lease names it, heartbeats start, its start record is written. */
    public void started(Launch launch, Session session) {
        launch.session(session);
        launch.mode(session.kind());
        if (launch.ownsLease()) {
            try (MetadataLock lock = launch.meta().lock()) {
                Lease lease = launch.meta().lease().orElse(null);
                if (lease != null && lease.token().equals(launch.token())) {
                    launch.meta().writeLease(lease.naming(session.name(), session.id(), session.pid(), session.kind()));
                    event("lease.acquired", launch.root(), session.name(), null);
                }
            } catch (IOException e) {
                log.warn("could not name session {} in the lease of {}: {}", session.name(), launch.root(), e.getMessage());
            }
        }
        queue(launch.root(), () -> writeStart(launch));
        boolean endedAlready;
        synchronized (this) {
            endedAlready = endedEarly.remove(session.id()) != null;
            if (!endedAlready) {
                active.put(session.id(), launch);
            }
        }
        if (endedAlready) {
            queueEnd(launch, session, detectedVia(session, true));
        }
    }

    /** The spawn failed after {@link #prepare}: the claim is withdrawn, a workspace it created removed. */
    public void abandon(Launch launch) {
        if (ownTokens.remove(launch.token())) {
            try (MetadataLock lock = launch.meta().lock()) {
                Lease lease = launch.meta().lease().orElse(null);
                if (lease != null && lease.token().equals(launch.token())) {
                    launch.meta().deleteLease();
                }
            } catch (IOException e) {
                log.warn("could not withdraw the lease of {} after a failed spawn: {}", launch.root(), e.getMessage());
            }
        }
        if (launch.created() != null) {
            String kept = removeCreated(launch.meta(), launch.token(), null);
            if (kept != null) {
                log.info("workspace {} that a failed spawn created is kept: {}", launch.root(), kept);
            }
        }
    }

    /**
     * Refuses a workspace whose {@code .corral/} holds a symlink (or is one), or something of
     * another user's: corral would be led to read or write outside it.
     */
    private static void refuseUnsafe(MetadataDir meta) throws SessionException {
        try {
            meta.check();
        } catch (OwnedFiles.UnsafePathException e) {
            log.warn("refused workspace {}: {}", meta.root(), e.getMessage());
            throw new SessionException(ErrorCode.UNSAFE_PATH, "workspace " + meta.root() + " refused: " + e.getMessage());
        } catch (IOException e) {
            throw new SessionException(ErrorCode.UNAVAILABLE, "cannot look at the metadata of workspace " + meta.root()
                    + ": " + e.getMessage());
        }
    }

    private void writeStart(Launch launch) {
        Session session = launch.session();
        try (MetadataLock lock = launch.meta().lock()) {
            launch.meta().writeStart(session.id(), launch.startRecord(), launch.startManifest());
        } catch (IOException e) {
            log.warn("could not write the start record of session {} in {}: {}; after a daemon restart its summary "
                    + "will have no diff", session.name(), launch.root(), e.getMessage());
        }
    }

    // Sessions' lives, as the registry reports them.

    @Override
    public void spawned(Session session) {
        places.put(session.id(), session);
    }

    @Override
    public void removed(Session session) {
        places.remove(session.id(), session);
    }

    @Override
    public void adopted(Session session) {
        places.put(session.id(), session);
        Path root = session.spec().workspace();
        if (root == null) {
            return;
        }
        synchronized (this) {
            adopting.add(session.id());
        }
        queue(root, () -> adopt(session));
    }

    /** A session found again after a restart: its launch read back, its lease taken over. */
    private void adopt(Session session) {
        MetadataDir meta = new MetadataDir(session.spec().workspace(), mapper, settings.lockTimeout());
        Launch launch = Launch.restore(meta, session);
        Instant now = Instant.now();
        ownTokens.add(launch.token());
        try (MetadataLock lock = meta.lock()) {
            Lease lease;
            try {
                lease = meta.lease().orElse(null);
            } catch (IOException e) {
                lease = null;
            }
            if (lease != null && lease.token().equals(launch.token())) {
                meta.writeLease(lease.takenOver(now, settings.leaseTtl().toSeconds()).naming(session.name(), session.id(),
                        session.pid(), session.kind()));
                launch.ownsLease(true);
                log.info("lease of {} taken over for adopted session {}", meta.root(), session.name());
            } else if (look(meta, now).live() == null) {
                meta.writeLease(new Lease(launch.token(), session.name(), session.id(), Holder.self(),
                        session.pid() > 0 ? session.pid() : null, launch.agent(), launch.mode(), launch.startedAt(), now,
                        settings.leaseTtl().toSeconds()));
                launch.ownsLease(true);
                event("lease.acquired", meta.root(), session.name(), "adopted");
                log.info("lease of {} taken for adopted session {}", meta.root(), session.name());
            } else {
                launch.ownsLease(false);
                ownTokens.remove(launch.token());
            }
        } catch (IOException e) {
            launch.ownsLease(false);
            ownTokens.remove(launch.token());
            log.warn("could not take the lease of {} for adopted session {}: {}", meta.root(), session.name(), e.getMessage());
        }
        boolean ended;
        synchronized (this) {
            adopting.remove(session.id());
            ended = endedEarly.remove(session.id()) != null || !session.running();
            if (!ended) {
                active.put(session.id(), launch);
            }
        }
        if (ended) {
            finish(launch, session, detectedVia(session, true));
        }
    }

    @Override
    public void ended(Session session) {
        places.remove(session.id(), session);
        Path root = session.spec().workspace();
        if (root == null) {
            return;
        }
        Launch launch;
        boolean restoring = !serving;
        synchronized (this) {
            launch = active.remove(session.id());
            if (launch == null && (serving || adopting.contains(session.id()))) {
                endedEarly.put(session.id(), session.name());
                return;
            }
        }
        String via = detectedVia(session, !restoring);
        if (launch != null) {
            queueEnd(launch, session, via);
        } else {
            queue(root, () -> finishRestored(session, via));
        }
    }

    /**
     * A session that ended with the previous daemon, found at this one's start. Only one whose
     * start record is still there is unfinished; of any other, at most a lease naming it is left.
     */
    private void finishRestored(Session session, String via) {
        MetadataDir meta = new MetadataDir(session.spec().workspace(), mapper, settings.lockTimeout());
        if (meta.startRecord(session.id()).isPresent()) {
            finish(Launch.restore(meta, session), session, via);
            return;
        }
        try (MetadataLock lock = meta.lock()) {
            Lease lease = meta.lease().orElse(null);
            if (lease != null && session.id().equals(lease.sessionId())) {
                meta.deleteLease();
                log.info("lease of {} removed: its session {} ended with the previous daemon", meta.root(), session.name());
            }
        } catch (IOException e) {
            log.warn("could not check the lease of {} for ended session {}: {}", meta.root(), session.name(), e.getMessage());
        }
    }

    private static String detectedVia(Session session, boolean watched) {
        if (session.state() == Session.State.LOST) {
            return watched ? "tmux-session-gone" : "daemon-restart";
        }
        return "tmux".equals(session.kind()) ? "tmux-pane-died" : "process-exit";
    }

    private void queueEnd(Launch launch, Session session, String via) {
        queue(launch.root(), () -> finish(launch, session, via));
    }

    /** Queues work on the endings thread; later spawns and lease commands in that workspace wait for it. */
    private void queue(Path root, Runnable work) {
        try {
            lastWork.compute(root, (key, previous) -> {
                CompletableFuture<Void> next = CompletableFuture.runAsync(() -> {
                    try {
                        work.run();
                    } catch (RuntimeException e) {
                        log.error("bug: workspace work in {} failed", root, e);
                    }
                }, endings);
                next.whenComplete((done, failure) -> lastWork.remove(key, next));
                return next;
            });
        } catch (RejectedExecutionException e) {
            // The daemon is stopping: the next one finds the start record and finishes the session.
            log.info("daemon stopping: end-of-session work in {} is left to the next daemon", root);
        }
    }

    private void awaitWork(Path root) {
        CompletableFuture<Void> pending = lastWork.get(root);
        if (pending == null) {
            return;
        }
        try {
            pending.get(ENDING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("end-of-session work in {} is still running after {}; going on without it", root, ENDING_WAIT);
        } catch (ExecutionException e) {
            log.warn("end-of-session work in {} failed: {}", root, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The end of a session in its workspace: end manifest and diff, then either the provisional
     * workspace is removed, or the summary, session log and last manifest are written and the lease
     * and start record removed, all under one lock. Runs on the endings thread.
     */
    private void finish(Launch launch, Session session, String via) {
        Path root = launch.root();
        Instant endedAt = session.endedAt() == null ? Instant.now() : session.endedAt();
        Manifest end = null;
        try {
            if (launch.startManifest() != null || launch.noManifest() == null) {
                end = Manifest.capture(root, launch.startManifest(), settings.manifestBounds());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not list the files of {} at the end of session {}: {}; its summary has no diff", root,
                    session.name(), e.toString());
        }
        ManifestDiff diff = launch.startManifest() == null || end == null ? null : launch.startManifest().diff(end);
        if (provisional(launch, session, diff)) {
            return;
        }
        Map<String, Object> summary = SessionSummary.of(launch, session, endedAt, via, diff, end);
        MetadataDir meta = launch.meta();
        try (MetadataLock lock = meta.lock()) {
            try {
                meta.appendLog(SessionSummary.logLine(summary));
            } catch (IOException e) {
                log.warn("could not append session {} to the session log of {}: {}", session.name(), root, e.toString());
            }
            try {
                meta.writeLastSession(summary);
            } catch (IOException e) {
                log.warn("could not write the summary of session {} in {}: {}", session.name(), root, e.toString());
            }
            if (end != null) {
                try {
                    meta.writeLastManifest(end);
                } catch (IOException e) {
                    log.warn("could not keep the end manifest of {}: {}; the next spawn cannot tell outside changes",
                            root, e.toString());
                }
            }
            releaseOwn(meta, launch);
            meta.deleteStart(session.id());
        } catch (IOException e) {
            log.warn("end-of-session writes of session {} in {} skipped: {}; its lease stays until it is stale",
                    session.name(), root, e.getMessage());
        } finally {
            ownTokens.remove(launch.token());
        }
        log.info("session {} ended in workspace {}: {}", session.name(), root, diff == null ? "no diff" : diff.counts());
    }

    private void releaseOwn(MetadataDir meta, Launch launch) throws IOException {
        try {
            Lease lease = meta.lease().orElse(null);
            if (lease != null && lease.token().equals(launch.token())) {
                meta.deleteLease();
                event("lease.released", meta.root(), lease.session(), "its session ended");
            }
        } catch (IOException e) {
            log.warn("could not read the lease of {} to release it: {}", meta.root(), e.getMessage());
        }
    }

    /**
     * A workspace this spawn created, whose session exited non-zero without changing a file, is
     * removed again: nothing in it is worth keeping. Only the workspace directory itself, never a
     * parent the spawn created with it, and only as {@link #removeCreated} allows.
     */
    private boolean provisional(Launch launch, Session session, ManifestDiff diff) {
        Integer code = session.exitCode();
        if (launch.created() == null || code == null || code == 0 || diff == null || !diff.empty()) {
            return false;
        }
        String kept = removeCreated(launch.meta(), launch.token(), session.id());
        if (kept != null) {
            log.info("workspace {} kept although this spawn created it and session {} exited with status {} without "
                    + "changing a file: {}", launch.root(), session.name(), code, kept);
            return false;
        }
        ownTokens.remove(launch.token());
        log.info("workspace {} removed: this spawn created it, and session {} exited with status {} without changing a file",
                launch.root(), session.name(), code);
        return true;
    }

    /**
     * Removes the workspace directory a spawn created (never a parent), under its metadata lock,
     * only when it is a real directory that holds nothing but {@code .corral/} with this claim's own
     * files in it (its lease, its start record, the lock and .gitignore), no other lease, and no
     * other live session works in it or below it. Answers why it was kept, or null once removed.
     */
    private String removeCreated(MetadataDir meta, String token, String sessionId) {
        Path root = meta.root();
        String user = sessionIn(root, sessionId);
        if (user != null) {
            return "session " + user + " works in it";
        }
        try (MetadataLock lock = meta.lock()) {
            if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                return "it is no longer a real directory";
            }
            List<Path> own = new ArrayList<>();
            String foreign = onlyOwn(meta, token, sessionId, own);
            if (foreign != null) {
                return foreign;
            }
            // Innermost first; deleting a directory that gained an entry meanwhile fails, and the rest is kept.
            for (Path path : own) {
                Files.deleteIfExists(path);
            }
            Files.delete(meta.dir());
            Files.delete(root);
        } catch (DirectoryNotEmptyException e) {
            return e.getFile() + " was given something else meanwhile";
        } catch (IOException e) {
            return e.getMessage();
        }
        known.remove(root);
        return null;
    }

    /** Why the workspace holds more than this claim's own metadata, or null; {@code own} gets those files, innermost first. */
    private static String onlyOwn(MetadataDir meta, String token, String sessionId, List<Path> own) throws IOException {
        Path root = meta.root();
        try (var entries = Files.list(root)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals(MetadataDir.NAME)).toList();
            if (!names.isEmpty()) {
                return "it holds " + names.get(0) + (names.size() > 1 ? " and " + (names.size() - 1) + " more" : "");
            }
        }
        Lease lease;
        try {
            lease = meta.lease().orElse(null);
        } catch (IOException e) {
            return "its lease file is unreadable (" + e.getMessage() + ")";
        }
        if (lease != null && !lease.token().equals(token)) {
            return "another lease is in it (" + lease.describeHolder(Instant.now()) + ")";
        }
        Set<String> allowed = Set.of(MetadataLock.FILE, "lease.json", ".gitignore", MetadataDir.SESSIONS);
        Set<String> records = sessionId == null ? Set.of() : Set.of(sessionId + ".json", sessionId + ".manifest.json");
        Path sessions = meta.dir().resolve(MetadataDir.SESSIONS);
        try (var entries = Files.list(meta.dir())) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!allowed.contains(name)) {
                    return MetadataDir.NAME + "/" + name + " is in it";
                }
                if (!name.equals(MetadataDir.SESSIONS)) {
                    OwnedFiles.requirePlainOrMissing(entry);
                    own.add(entry);
                }
            }
        }
        if (Files.exists(sessions, LinkOption.NOFOLLOW_LINKS)) {
            OwnedFiles.requireDirectory(sessions);
            List<Path> inside = new ArrayList<>();
            try (var entries = Files.list(sessions)) {
                for (Path entry : entries.toList()) {
                    if (!records.contains(entry.getFileName().toString())) {
                        return MetadataDir.NAME + "/" + MetadataDir.SESSIONS + "/" + entry.getFileName() + " is in it";
                    }
                    OwnedFiles.requirePlainOrMissing(entry);
                    inside.add(entry);
                }
            }
            inside.add(sessions);
            own.addAll(0, inside);
        }
        return null;
    }

    /** A live session other than {@code except} whose workspace or working directory is {@code root} or inside it, or null. */
    private String sessionIn(Path root, String except) {
        for (Map.Entry<String, Session> live : places.entrySet()) {
            Session other = live.getValue();
            if (live.getKey().equals(except) || !other.running()) {
                continue;
            }
            Path workspace = other.spec().workspace();
            if (other.spec().cwd().startsWith(root) || workspace != null && workspace.startsWith(root)) {
                return "'" + other.name() + "'";
            }
        }
        return null;
    }

    // Heartbeats and the stale-lease sweep.

    /** One tick for all leases: renew this daemon's, clean stale ones in the known workspaces. */
    private void heartbeat() {
        List<Launch> owned;
        synchronized (this) {
            owned = active.values().stream().filter(Launch::ownsLease).toList();
        }
        Set<Path> renewed = new HashSet<>();
        for (Launch launch : owned) {
            Session session = launch.session();
            if (session == null || !session.running()) {
                continue;
            }
            renewed.add(launch.root());
            try (MetadataLock lock = launch.meta().lock()) {
                Lease lease = launch.meta().lease().orElse(null);
                if (lease != null && lease.token().equals(launch.token())) {
                    launch.meta().writeLease(lease.renewed(Instant.now()));
                } else {
                    launch.ownsLease(false);
                    ownTokens.remove(launch.token());
                    log.warn("the lease of {} no longer names session {} (released or cleaned); the session goes on "
                            + "without a lease", launch.root(), session.name());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("heartbeat of the lease of {} failed: {}", launch.root(), e.toString());
            }
        }
        for (Path root : known.all()) {
            if (!renewed.contains(root)) {
                sweep(root);
            }
        }
    }

    /** Cleans the lease of {@code root} if it is stale; answers why it was, or null. */
    private String sweep(Path root) {
        if (!Files.isDirectory(root.resolve(MetadataDir.NAME))) {
            if (!Files.isDirectory(root)) {
                known.remove(root);
            }
            return null;
        }
        MetadataDir meta = new MetadataDir(root, mapper, settings.lockTimeout());
        try {
            Lease lease = meta.lease().orElse(null);
            if (lease == null || lease.staleReason(Instant.now(), ownTokens) == null) {
                return null;
            }
        } catch (IOException e) {
            // Unreadable: cleaned below, under the lock.
        }
        try (MetadataLock lock = meta.lock()) {
            return look(meta, Instant.now()).cleaned();
        } catch (IOException e) {
            log.warn("could not check the lease of {}: {}", root, e.getMessage());
            return null;
        }
    }

    // The lease commands.

    /** Live leases in the known workspaces, after cleaning stale ones (listed in {@code cleaned}). */
    public LeaseList list() {
        List<LeaseView> leases = new ArrayList<>();
        List<Cleaned> cleaned = new ArrayList<>();
        Instant now = Instant.now();
        for (Path root : known.all()) {
            awaitWork(root);
            String reason = sweep(root);
            if (reason != null) {
                cleaned.add(new Cleaned(root.toString(), reason));
            }
            lease(root).ifPresent(lease -> leases.add(describe(root, lease, now)));
        }
        return new LeaseList(leases, cleaned);
    }

    /** One workspace: its lease (or null) and its last session's summary (or null). */
    public WorkspaceView show(Path dir) throws SessionException {
        Path root = existing(dir);
        awaitWork(root);
        refuseUnsafe(new MetadataDir(root, mapper, settings.lockTimeout()));
        String reason = sweep(root);
        LeaseView lease = lease(root).map(held -> describe(root, held, Instant.now())).orElse(null);
        Map<String, Object> last = new MetadataDir(root, mapper, settings.lockTimeout()).lastSession().orElse(null);
        return new WorkspaceView(root.toString(), lease, last, last == null ? null : SessionSummary.banner(last), reason);
    }

    /**
     * Removes a workspace's lease: a stale one always, a live one only with {@code force} (its
     * session goes on without a lease).
     */
    public Released release(Path dir, boolean force) throws SessionException {
        Path root = existing(dir);
        awaitWork(root);
        MetadataDir meta = new MetadataDir(root, mapper, settings.lockTimeout());
        refuseUnsafe(meta);
        Instant now = Instant.now();
        try (MetadataLock lock = meta.lock()) {
            Lease lease;
            try {
                lease = meta.lease().orElse(null);
            } catch (IOException e) {
                return new Released(root.toString(), true, null, look(meta, now).cleaned());
            }
            if (lease == null) {
                return new Released(root.toString(), false, null, "no lease");
            }
            String stale = lease.staleReason(now, ownTokens);
            if (stale == null && !force) {
                throw new SessionException(ErrorCode.CONFLICT, "workspace " + root + " is leased by " + lease.describeHolder(now)
                        + ", which is live; end that session first, or use --force to release the lease anyway");
            }
            meta.deleteLease();
            event(stale == null ? "lease.released" : "lease.stale", root, lease.session(), stale != null ? stale : "released by force");
            if (stale == null) {
                ownTokens.remove(lease.token());
                synchronized (this) {
                    active.values().stream().filter(l -> l.token().equals(lease.token())).forEach(l -> l.ownsLease(false));
                }
                log.warn("lease of {} released by force: session {} of corrald pid {} on {} goes on without a lease", root,
                        lease.session(), lease.holder().pid(), lease.holder().host());
            } else {
                log.info("stale lease of {} released: {}", root, stale);
            }
            return new Released(root.toString(), true, lease.session(), stale != null ? stale : "forced");
        } catch (IOException e) {
            throw new SessionException(ErrorCode.UNAVAILABLE, "could not release the lease of " + root + ": " + e.getMessage());
        }
    }

    private Optional<Lease> lease(Path root) {
        try {
            return new MetadataDir(root, mapper, settings.lockTimeout()).lease();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static LeaseView describe(Path root, Lease lease, Instant now) {
        return new LeaseView(root.toString(), lease.toJson(), Math.max(0, Duration.between(lease.heartbeat(), now).toSeconds()),
                lease.holder().isSelf());
    }

    private static Path existing(Path dir) throws SessionException {
        if (!dir.isAbsolute()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "the workspace must be an absolute path, got '" + dir + "'");
        }
        try {
            Path root = dir.toRealPath();
            if (!Files.isDirectory(root)) {
                throw new SessionException(ErrorCode.BAD_REQUEST, dir + " is not a directory");
            }
            return root;
        } catch (IOException e) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "no workspace at " + dir + ": it does not exist");
        }
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        endings.shutdown();
        try {
            // Ending sessions' summaries are short work; let them land before the daemon exits.
            endings.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
