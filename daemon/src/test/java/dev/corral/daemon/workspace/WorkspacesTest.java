package dev.corral.daemon.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.concurrent.WorkerPool;
import dev.corral.daemon.container.ContainerSettings;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.protocol.ErrorCode;
import java.nio.file.Files;
import dev.corral.protocol.result.LeaseView;
import dev.corral.protocol.result.WorkspaceView;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workspaces on real directories with the test's threads and clock: the claim at spawn, sharing
 * under --force, the lease's age on the injected clock, and the record at a real session's end.
 */
@Timeout(60)
class WorkspacesTest {
    @TempDir
    Path state;
    @TempDir
    Path work;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-02T01:00:00Z"));
    private Workspaces workspaces;
    private SessionRegistry registry;

    @BeforeEach
    void start() {
        // A heartbeat an hour apart never ticks during a test: the lease's age is the clock's alone.
        Workspaces.Settings settings = new Workspaces.Settings(Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofSeconds(2));
        workspaces = new Workspaces(settings, state, new ObjectMapper(), new Workspaces.Threads(
                Executors.newSingleThreadScheduledExecutor(), Executors.newSingleThreadExecutor(WorkerPool.named("test-endings")),
                clock));
        registry = new SessionRegistry(SessionRegistry.Limits.defaults(), state, state.resolve("corral.sock"), new ObjectMapper(),
                Map.of("PATH", "/usr/bin:/bin"), ContainerSettings.resolve(null, null, null, Map.of()));
        registry.listen(workspaces);
        workspaces.serving();
    }

    @AfterEach
    void stop() {
        registry.close();
        workspaces.close();
    }

    private static Workspaces.Request request(Path root, boolean force) {
        return new Workspaces.Request(root, null, force, "sh", "pty");
    }

    /** As the spawn command does: the launch is registered before the program starts, the pid written after. */
    private Session spawn(WorkspaceClaim launch, String... command) throws Refusal {
        Session session = registry.spawn(new SessionSpec(null, SessionSpec.Kind.PTY, List.of(command), launch.launchDir(), Map.of(),
                80, 24, launch.root(), null), created -> workspaces.launching(launch, created));
        workspaces.started(launch, session);
        return session;
    }

    private Session spawn(WorkspaceClaim launch, String script) throws Refusal {
        return spawn(launch, "sh", "-c", script);
    }

    @Test
    void aLiveLeaseIsRefusedSharedUnderForceAndAgesOnTheClock() throws Exception {
        Path root = Files.createDirectory(work.resolve("task"));
        WorkspaceClaim first = workspaces.prepare(request(root, false));
        assertTrue(first.ownsLease());

        Refusal refused = assertThrows(Refusal.class, () -> workspaces.prepare(request(root, false)));
        assertEquals(ErrorCode.CONFLICT, refused.code());
        assertTrue(refused.getMessage().contains("--force"), refused.getMessage());
        WorkspaceClaim shared = workspaces.prepare(request(root, true));
        assertFalse(shared.ownsLease());
        assertTrue(shared.notices().toString().contains("shares it without a lease"), shared.notices().toString());

        clock.advance(Duration.ofSeconds(12));
        List<LeaseView> leases = workspaces.list().leases();
        assertEquals(1, leases.size(), leases.toString());
        assertEquals(12L, leases.get(0).heartbeatAgeSeconds());
        workspaces.abandon(shared);
        workspaces.abandon(first);
        assertNull(workspaces.show(root).lease(), "an abandoned claim leaves no lease");
    }

    @Test
    void aSessionThatEndsAtOnceIsRecordedAndItsLeaseReleased() throws Exception {
        Path root = Files.createDirectory(work.resolve("task"));
        WorkspaceClaim launch = workspaces.prepare(request(root, false));
        // Ends at once, perhaps before the spawn has returned: its launch was registered before it started.
        Session session = spawn(launch, "echo made > made.txt");
        session.exit().get(10, TimeUnit.SECONDS);

        waitFor(() -> lastSession(root) != null, "the end-of-session summary is written");
        WorkspaceView shown = workspaces.show(root);
        assertNull(shown.lease(), "the lease goes with its session");
        assertTrue(String.valueOf(shown.lastSessionBanner()).contains(session.name()), String.valueOf(shown));
        assertTrue(Files.exists(root.resolve("made.txt")));
    }

    @Test
    void theLeaseNamesTheSessionBeforeItsProgramStartsAndGetsItsPidAfter() throws Exception {
        Path root = Files.createDirectory(work.resolve("task"));
        WorkspaceClaim launch = workspaces.prepare(request(root, false));
        AtomicReference<LeaseView> beforeStart = new AtomicReference<>();
        AtomicReference<Session.State> stateBeforeStart = new AtomicReference<>();
        Session session = registry.spawn(new SessionSpec("named", SessionSpec.Kind.PTY, List.of("sleep", "30"), launch.launchDir(),
                Map.of(), 80, 24, launch.root(), null), created -> {
            workspaces.launching(launch, created);
            stateBeforeStart.set(created.state());
            beforeStart.set(workspaces.show(root).lease());
        });
        workspaces.started(launch, session);

        assertEquals(Session.State.STARTING, stateBeforeStart.get(), "the launch is registered before the program starts");
        assertEquals("named", beforeStart.get().lease().session(), String.valueOf(beforeStart.get()));
        assertNull(beforeStart.get().lease().programPid(), "no pid before the program starts: " + beforeStart.get());
        LeaseView after = workspaces.show(root).lease();
        assertEquals(session.pid(), after.lease().programPid().longValue(), String.valueOf(after));
        registry.kill(session, "KILL");
        session.exit().get(10, TimeUnit.SECONDS);
        waitFor(() -> lastSession(root) != null, "the end-of-session summary is written");
        assertNull(workspaces.show(root).lease(), "the lease goes with its session");
    }

    @Test
    void aProgramThatCannotStartInAWorkspaceItCreatedLeavesNothing() throws Exception {
        Path root = work.resolve("never-started");
        WorkspaceClaim launch = workspaces.prepare(request(root, false));
        assertThrows(Refusal.class, () -> spawn(launch, "/nonexistent/program", "--help"));
        workspaces.abandon(launch);
        assertFalse(Files.exists(root), "the start record written before the start goes with the workspace");
        assertTrue(registry.list(true).isEmpty(), "the session is removed again: " + registry.list(true));
    }

    @Test
    void aWorkspaceTheSpawnCreatedGoesAgainWhenItsSessionFailsWithoutChangingAFile() throws Exception {
        Path root = work.resolve("new-task");
        WorkspaceClaim launch = workspaces.prepare(request(root, false));
        assertNotNull(launch.created());
        assertTrue(Files.isDirectory(root));
        Session session = spawn(launch, "exit 3");
        assertEquals(3, session.exit().get(10, TimeUnit.SECONDS));
        waitFor(() -> !Files.exists(root), "the provisional workspace is removed");
    }

    @Test
    void aFailedSpawnInAWorkspaceItCreatedLeavesNothing() throws Exception {
        Path root = work.resolve("never-used");
        WorkspaceClaim launch = workspaces.prepare(request(root, false));
        assertTrue(Files.isDirectory(root));
        workspaces.abandon(launch);
        assertFalse(Files.exists(root));
    }

    private Object lastSession(Path root) {
        try {
            return workspaces.show(root).lastSession();
        } catch (Refusal e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A clock the test moves. */
    private static final class ManualClock extends Clock {
        private final AtomicReference<Instant> now;

        ManualClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
