package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ended, removed session leaves nothing behind: thousands of spawn/remove cycles in a daemon
 * with a small heap end where they began (measured after a forced GC with jcmd), and a heap that
 * does run out ends the daemon with a non-zero status instead of wedging it.
 */
class SessionLeakTest {
    /**
     * Cycles in the leak test: on the old daemon each kept ~70 KiB, so a 48 MiB heap ran out after
     * ~600. 600 take 20 to 120 s on a loaded 2-core machine (-Dcorral.leak.cycles=20000 for the full probe).
     */
    static final int CYCLES = Integer.getInteger("corral.leak.cycles", 600);
    static final int PEERS = 4;
    private static final Pattern USED = Pattern.compile("(?:generation|DefNew|Tenured)\\s+total \\d+K, used (\\d+)K");

    @TempDir
    Path dir;

    /**
     * The cycles' own deadline grows with their count (a second for every 3 cycles, plus 3 minutes),
     * so that the full probe's 20,000 cycles are not cut off by a fixed one; the method's limit
     * only stops a hang.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.MINUTES)
    void spawnRemoveCyclesLeaveTheHeapWhereItWas() throws Exception {
        try (Sandbox sandbox = new Sandbox(dir).withEnv("CORRAL_DAEMON_JAVA_OPTS", "-Xmx48m")) {
            sandbox.startDaemon();
            cycles(sandbox, 200);
            long before = heapAfterGc(sandbox);
            long started = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(180 + CYCLES / 3), () -> cycles(sandbox, CYCLES),
                    () -> CYCLES + " spawn/remove cycles did not end in time\n" + sandbox.logTail(20));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            long after = heapAfterGc(sandbox);
            System.out.printf("SessionLeakTest: %d spawn/remove cycles in %d s; heap after GC %d KiB before, %d KiB after%n",
                    CYCLES, seconds, before, after);
            assertTrue(after < before + 6 * 1024, "heap grew from " + before + " KiB to " + after + " KiB over "
                    + CYCLES + " cycles\n" + sandbox.logTail(20));
            try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
                peer.hello();
                assertEquals(List.of(), result(peer.request("session.list", Map.of("all", true))).get("sessions"));
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHeapThatRunsOutEndsTheDaemonAndFreesTheSocket() throws Exception {
        try (Sandbox sandbox = new Sandbox(dir).withEnv("CORRAL_DAEMON_JAVA_OPTS", "-Xmx32m")) {
            // Each session's replay buffer may grow to 64 MiB here: a program that writes that much
            // makes it outgrow a 32 MiB heap (the buffer grows with the output, doubling).
            Process daemon = sandbox.startDaemon("--replay-bytes", Integer.toString(64 * 1024 * 1024));
            try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
                peer.hello();
                peer.sendFrame(dev.corral.protocol.Json.write(Map.of("id", 2, "op", "session.spawn",
                        "args", Map.of("command", List.of("head", "-c", Integer.toString(64 * 1024 * 1024), "/dev/zero"),
                                "cwd", dir.toString()))));
                assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon lives on after running out of heap\n"
                        + sandbox.logTail(20));
            }
            assertNotEquals(0, daemon.exitValue(), sandbox.output(daemon));
            assertTrue(sandbox.output(daemon).contains("OutOfMemoryError"), sandbox.output(daemon));
            // The lock went with the process: a new daemon takes the socket at once.
            sandbox.withEnv("CORRAL_DAEMON_JAVA_OPTS", "");
            sandbox.startDaemon();
            assertTrue(RawPeer.answers(sandbox.socket()));
        }
    }

    /** {@code count} cycles of spawn `true`, wait, remove, over {@link #PEERS} raw connections at once. */
    static void cycles(Sandbox sandbox, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PEERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < PEERS; p++) {
                int share = count / PEERS + (p < count % PEERS ? 1 : 0);
                done.add(pool.submit(() -> {
                    try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
                        peer.hello();
                        for (int i = 0; i < share; i++) {
                            String name = (String) result(peer.request("session.spawn",
                                    Map.of("command", List.of("true"), "cwd", sandbox.dir().toString()))).get("name");
                            result(peer.request("session.wait", Map.of("name", name)));
                            result(peer.request("session.remove", Map.of("name", name)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> result(Map<String, Object> frame) {
        Object result = frame.get("result");
        if (!(result instanceof Map)) {
            throw new AssertionError("expected a result, got " + frame);
        }
        return (Map<String, Object>) result;
    }

    /**
     * The daemon's heap in use (KiB, both serial-GC generations) right after a full GC, through
     * jcmd; JDK 17 names them "def new generation" and "tenured generation", JDK 25 "DefNew" and "Tenured".
     */
    static long heapAfterGc(Sandbox sandbox) {
        long pid = sandbox.lockHolderPid();
        Run.Result gc = Run.command(Map.of(), Duration.ofSeconds(60), Run.argv("jcmd", pid, "GC.run"));
        assertEquals(0, gc.exit(), gc.toString());
        Run.Result info = Run.command(Map.of(), Duration.ofSeconds(60), Run.argv("jcmd", pid, "GC.heap_info"));
        assertEquals(0, info.exit(), info.toString());
        Matcher used = USED.matcher(info.out());
        long total = 0;
        int generations = 0;
        while (used.find()) {
            total += Long.parseLong(used.group(1));
            generations++;
        }
        assertEquals(2, generations, "no serial-GC generations in:\n" + info.out());
        return total;
    }
}
