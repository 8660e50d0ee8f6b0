package dev.corral.daemon.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.concurrent.WorkerPool;
import dev.corral.daemon.container.ContainerSettings;
import dev.corral.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry with real PTY programs and its threads and clock given by the test: spawns that
 * hang do not hold up a kill, reapers measure the grace on the registry's clock, and a restarted
 * registry finds a PTY session of the earlier one lost.
 */
@Timeout(60)
class SessionRegistryTest {
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", System.getProperty("user.home"));

    @TempDir
    Path state;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private SessionRegistry registry(SessionRegistry.Limits limits, Clock clock) {
        SessionRegistry registry = new SessionRegistry(limits, state, state.resolve("corral.sock"), new ObjectMapper(), ENV,
                ContainerSettings.resolve(null, null, null, Map.of()),
                new SessionRegistry.Threads(WorkerPool.timer("test-timers"), WorkerPool.create("test-checks", 4, 16), clock));
        closing.add(registry);
        return registry;
    }

    private SessionSpec pty(String name, String... command) {
        return new SessionSpec(name, SessionSpec.Kind.PTY, List.of(command), state, Map.of(), 80, 24);
    }

    @Test
    void twoSpawnsThatHangDoNotDelayAKill() throws Exception {
        SessionRegistry registry = registry(SessionRegistry.Limits.defaults(), Clock.systemUTC());
        ThreadPoolExecutor workers = WorkerPool.requests();
        closing.add(workers::shutdownNow);
        Session target = registry.spawn(pty("target", "sleep", "60"));

        // Two spawns held up before their programs start, as one waiting on a held workspace or a hung engine is.
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(2);
        List<CompletableFuture<Session>> slow = new ArrayList<>();
        for (String name : List.of("slow-1", "slow-2")) {
            slow.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return registry.spawn(pty(name, "sleep", "60"), session -> {
                        holding.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                } catch (Refusal e) {
                    throw new IllegalStateException(e);
                }
            }, workers));
        }
        closing.add(release::countDown);
        assertTrue(holding.await(10, TimeUnit.SECONDS), "both slow spawns are under way");

        long started = System.nanoTime();
        CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> {
            try {
                registry.kill(target, "TERM");
            } catch (Refusal e) {
                throw new IllegalStateException(e);
            }
        }, workers);
        kill.get(3, TimeUnit.SECONDS);
        target.exit().get(5, TimeUnit.SECONDS);
        assertEquals(Session.State.EXITED, target.state(), "sleep ended on the TERM");
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3));

        release.countDown();
        for (CompletableFuture<Session> spawn : slow) {
            assertTrue(spawn.get(10, TimeUnit.SECONDS).running());
        }
        assertEquals(2, registry.list(false).size());
    }

    @Test
    void anEndedSessionIsReapedWhenTheRegistrysClockSaysItsGraceIsOver() throws Exception {
        SessionRegistry.Limits limits = new SessionRegistry.Limits(8, 4096, 1 << 20, Duration.ofMinutes(30), Duration.ofSeconds(5));
        SessionRegistry now = registry(limits, Clock.systemUTC());
        Session kept = now.spawn(pty("kept", "true"));
        kept.exit().get(10, TimeUnit.SECONDS);
        Thread.sleep(300); // the reaper is set as the end is heard; give it the chance to run wrongly
        assertTrue(now.find("kept").isPresent(), "within its grace an ended session stays");
        now.close();
        closing.remove(now);

        SessionRegistry later = registry(limits, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(31)));
        later.restore();
        Session reaped = later.spawn(pty("reaped", "true"));
        reaped.exit().get(10, TimeUnit.SECONDS);
        waitFor(() -> later.find("reaped").isEmpty(), "a session ended 31 minutes ago by the registry's clock is reaped");
        waitFor(() -> later.find("kept").isEmpty(), "and so is one restored ended with the grace over");
    }

    @Test
    void aRestartedRegistryFindsARunningPtySessionLostAndRefusesToSignalIt() throws Exception {
        SessionRegistry first = registry(SessionRegistry.Limits.defaults(), Clock.systemUTC());
        Session running = first.spawn(pty("pty-1", "sleep", "60"));
        assertTrue(running.running());

        SessionRegistry second = registry(SessionRegistry.Limits.defaults(), Clock.systemUTC());
        second.restore();
        Session lost = second.require("pty-1");
        assertEquals(Session.State.LOST, lost.state());
        Refusal refused = assertThrows(Refusal.class, () -> second.kill(lost, "TERM"));
        assertEquals(ErrorCode.CONFLICT, refused.code());
        first.kill(running, "KILL");
        running.exit().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aNameInUseIsRefusedAndAnUnnamedSessionIsNumbered() throws Exception {
        SessionRegistry registry = registry(SessionRegistry.Limits.defaults(), Clock.systemUTC());
        registry.spawn(pty("taken", "sleep", "60"));
        Refusal refused = assertThrows(Refusal.class, () -> registry.spawn(pty("taken", "sleep", "60")));
        assertEquals(ErrorCode.CONFLICT, refused.code());
        assertEquals("sleep-1", registry.spawn(pty(null, "sleep", "60")).name());
        Refusal missing = assertThrows(Refusal.class, () -> registry.spawn(pty(null, "no-such-program-here")));
        assertEquals(ErrorCode.MISSING_DEPENDENCY, missing.code());
        for (Session session : registry.list(false)) {
            registry.remove(session, true);
        }
        assertEquals(List.of(), registry.list(true));
    }

    /** What a listener hears, in order, with the session's state and pid as it heard them. */
    private static final class Heard implements SessionListener {
        final List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();

        private void add(String what, Session session) {
            heard.add(what + " " + session.name() + " " + session.state() + (session.pid() > 0 ? " pid" : " no-pid"));
        }

        @Override
        public void spawned(Session session) {
            add("spawned", session);
        }

        @Override
        public void started(Session session) {
            add("started", session);
        }

        @Override
        public void ended(Session session) {
            add("ended", session);
        }

        @Override
        public void removed(Session session) {
            add("removed", session);
        }
    }

    @Test
    void aSessionIsAnnouncedAndFoundBeforeItsProgramStartsThenItsStartIsHeardWithThePid() throws Exception {
        SessionRegistry registry = registry(SessionRegistry.Limits.defaults(), Clock.systemUTC());
        Heard heard = new Heard();
        registry.listen(heard);
        List<String> seenBeforeStart = new ArrayList<>();
        Session session = registry.spawn(pty("early", "sh", "-c", "read line"), created -> {
            seenBeforeStart.addAll(heard.heard);
            seenBeforeStart.add("found " + registry.find("early").map(s -> s == created).orElse(false));
        });
        assertEquals(List.of("spawned early STARTING no-pid", "found true"), seenBeforeStart);
        assertEquals(List.of("spawned early STARTING no-pid", "started early RUNNING pid"), heard.heard);
        session.send("", true);
        session.exit().get(10, TimeUnit.SECONDS);
        waitFor(() -> heard.heard.size() == 3, "the end is heard");
        assertEquals("ended early EXITED pid", heard.heard.get(2));
    }

    @Test
    void aProgramThatEndsAtOnceIsNeverHeardStartedAfterItsEnd() throws Exception {
        SessionRegistry registry = registry(SessionRegistry.Limits.defaults(), Clock.systemUTC());
        Heard heard = new Heard();
        registry.listen(heard);
        for (int i = 0; i < 20; i++) {
            Session session = registry.spawn(pty("brief-" + i, "true"));
            session.exit().get(10, TimeUnit.SECONDS);
            String name = session.name();
            waitFor(() -> heard.heard.stream().anyMatch(h -> h.startsWith("ended " + name + " ")), "the end of " + name);
            List<String> of = heard.heard.stream().filter(h -> h.split(" ")[1].equals(name)).map(h -> h.split(" ")[0]).toList();
            assertTrue(of.equals(List.of("spawned", "started", "ended")) || of.equals(List.of("spawned", "ended")), of.toString());
        }
    }

    @Test
    void aProgramThatCannotStartIsAnnouncedThenRemovedAndLeavesNothing() throws Exception {
        SessionRegistry registry = registry(SessionRegistry.Limits.defaults(), Clock.systemUTC());
        Heard heard = new Heard();
        registry.listen(heard);
        assertThrows(Refusal.class, () -> registry.spawn(pty("never", "/nonexistent/program")));
        assertEquals(List.of("spawned never STARTING no-pid", "removed never STARTING no-pid"), heard.heard);
        assertEquals(List.of(), registry.list(true));
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
}
