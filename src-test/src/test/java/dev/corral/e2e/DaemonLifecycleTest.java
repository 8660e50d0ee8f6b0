package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Json;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's life as a user drives it through bin/corral: start, ping, status, stop, and the edges. */
class DaemonLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void startPingStatusStopLeavesNoSocket() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Run.Result start = sandbox.corral("daemon", "start");
            assertEquals(0, start.exit(), start.toString());
            assertTrue(start.out().contains("corrald started on " + sandbox.socket()), start.toString());

            assertEquals("rwx------", permissions(sandbox.socket().getParent()));
            assertEquals("rw-------", permissions(sandbox.socket()));

            Run.Result ping = sandbox.corral("ping");
            assertEquals(0, ping.exit(), ping.toString());
            assertTrue(ping.out().startsWith("pong from corrald "), ping.toString());
            assertTrue(ping.out().contains("(protocol " + dev.corral.protocol.Protocol.VERSION + ")"), ping.toString());

            Run.Result status = sandbox.corral("--json", "daemon", "status");
            assertEquals(0, status.exit(), status.toString());
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) Json.read(status.out().getBytes());
            assertEquals(sandbox.socket().toString(), json.get("socket"));
            assertEquals((long) dev.corral.protocol.Protocol.VERSION, json.get("protocol"));
            assertEquals(sandbox.lockHolderPid(), ((Number) json.get("pid")).longValue());
            assertTrue(((Number) json.get("uptimeSeconds")).longValue() >= 0);
            assertTrue(json.containsKey("version"));

            Run.Result human = sandbox.corral("daemon", "status");
            assertTrue(human.out().contains("running (pid " + json.get("pid") + ")"), human.toString());

            Run.Result stop = sandbox.corral("daemon", "stop");
            assertEquals(0, stop.exit(), stop.toString());
            assertTrue(stop.out().contains("corrald stopped"), stop.toString());
            assertFalse(sandbox.socketExists(), "the socket file is left behind");

            Run.Result after = sandbox.corral("daemon", "status");
            assertEquals(5, after.exit(), after.toString());
            assertTrue(after.err().contains("not running"), after.toString());
        }
    }

    @Test
    void startTwiceSaysAlreadyRunning() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            assertEquals(0, sandbox.corral("daemon", "start").exit());
            Run.Result again = sandbox.corral("daemon", "start");
            assertEquals(0, again.exit(), again.toString());
            assertTrue(again.out().contains("already running"), again.toString());
        }
    }

    @Test
    void stopWithoutADaemonSaysSo() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Run.Result stop = sandbox.corral("daemon", "stop");
            assertEquals(0, stop.exit(), stop.toString());
            assertTrue(stop.out().contains("not running"), stop.toString());
        }
    }

    @Test
    void anyCommandStartsTheDaemonOnceEvenWhenManyStartTogether() throws Exception {
        try (Sandbox sandbox = new Sandbox(dir)) {
            List<CompletableFuture<Run.Result>> pings = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pings.add(CompletableFuture.supplyAsync(() -> sandbox.corral("ping")));
            }
            for (CompletableFuture<Run.Result> ping : pings) {
                Run.Result result = ping.get(120, TimeUnit.SECONDS);
                assertEquals(0, result.exit(), result.toString());
                assertTrue(result.out().startsWith("pong"), result.toString());
            }
            long pid = sandbox.lockHolderPid();
            assertTrue(pid > 0, "no daemon holds the socket's lock");
            assertEquals(1, daemonsServing(sandbox.socket()), "exactly one daemon serves the socket");
            // Survivors are not enough: a second daemon that started and gave up would not be
            // serving. Each daemon that gets as far as listening says so once in the shared log.
            long listened = Files.readAllLines(sandbox.log()).stream().filter(line -> line.contains("listening on ")).count();
            assertEquals(1, listened, "daemons that started listening (4 clients at once):\n" + sandbox.logTail(40));
            // A daemon launched beside the first is refused, and its refusal lands in the start log.
            Path startLog = sandbox.socket().resolveSibling("corral.sock.start.log");
            String started = Files.exists(startLog) ? Files.readString(startLog) : "";
            assertFalse(started.contains("already running"), "a second daemon was launched:\n" + started);
        }
    }

    @Test
    void secondDaemonOnTheSameSocketIsRefused() throws IOException, InterruptedException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            sandbox.startDaemon();
            long first = sandbox.lockHolderPid();
            Process second = sandbox.launchDaemon();
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second daemon did not give up");
            assertEquals(4, second.exitValue(), sandbox.output(second));
            assertTrue(sandbox.output(second).contains("already running on " + sandbox.socket()), sandbox.output(second));
            assertTrue(sandbox.output(second).contains("pid " + first), "the refusal names the first daemon's pid "
                    + first + ": " + sandbox.output(second));
            assertEquals(first, sandbox.lockHolderPid(), "the first daemon still holds the lock");
            assertTrue(RawPeer.answers(sandbox.socket()), "the first daemon must keep serving");
        }
    }

    @Test
    void staleSocketFileIsReplaced() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Files.createDirectories(sandbox.socket().getParent());
            try (ServerSocketChannel leftover = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                leftover.bind(UnixDomainSocketAddress.of(sandbox.socket()));
            }
            assertTrue(Files.exists(sandbox.socket(), LinkOption.NOFOLLOW_LINKS), "stale socket file");
            Object staleFile = Files.readAttributes(sandbox.socket(), java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
            Run.Result ping = sandbox.corral("ping");
            assertEquals(0, ping.exit(), ping.toString());
            Object liveFile = Files.readAttributes(sandbox.socket(), java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
            assertNotEquals(staleFile, liveFile, "the stale socket file was not replaced by the daemon's own");
            assertTrue(Files.readString(sandbox.log()).contains("replacing stale socket " + sandbox.socket()),
                    "the daemon did not say it replaced the stale socket:\n" + sandbox.logTail(20));
            assertTrue(RawPeer.answers(sandbox.socket()), "the daemon answers on the replaced socket");
        }
    }

    @Test
    void sigtermStopsGracefullyAndRemovesTheSocket() throws Exception {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Process daemon = sandbox.startDaemon();
            ProcessHandle java = ProcessHandle.of(sandbox.lockHolderPid()).orElseThrow();
            java.destroy(); // SIGTERM, as systemd sends it
            java.onExit().get(30, TimeUnit.SECONDS);
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, daemon.exitValue(), sandbox.output(daemon));
            assertFalse(sandbox.socketExists(), "socket left behind after SIGTERM");
            assertTrue(Files.readString(sandbox.log()).contains("stopping: SIGTERM"), "the log tells why it stopped");
        }
    }

    @Test
    void unreachableDaemonIsExitFive() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Run.Result status = sandbox.corral("--socket", dir.resolve("nowhere/corral.sock"), "daemon", "status");
            assertEquals(5, status.exit(), status.toString());
            assertTrue(status.err().contains("corrald is not running on"), status.toString());
        }
    }

    @Test
    void usageErrorsAreExitTwo() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Run.Result bad = sandbox.corral("frobnicate");
            assertEquals(2, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("frobnicate"), bad.toString());
            Run.Result help = sandbox.corral("--help");
            assertEquals(0, help.exit(), help.toString());
            assertTrue(help.out().contains("daemon") && help.out().contains("ping"), help.toString());
        }
    }

    @Test
    void daemonRunServesInTheForeground() throws Exception {
        try (Sandbox sandbox = new Sandbox(dir)) {
            ProcessBuilder builder = new ProcessBuilder(dev.corral.e2e.support.Repo.corral().toString(),
                    "--socket", sandbox.socket().toString(), "daemon", "run")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("run.out").toFile());
            builder.environment().putAll(sandbox.env());
            Process run = builder.start();
            try {
                Deadline.await(Duration.ofSeconds(60), () -> "corral daemon run to serve", () -> RawPeer.answers(sandbox.socket()));
                assertEquals(run.pid(), sandbox.lockHolderPid(), "daemon run must be the daemon itself (exec)");
                assertEquals(0, sandbox.corral("daemon", "stop").exit());
                assertTrue(run.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, run.exitValue());
            } finally {
                run.destroyForcibly();
            }
        }
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static long daemonsServing(Path socket) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("corrald.jar") && c.contains(socket.toString())).orElse(false))
                .count();
    }
}
