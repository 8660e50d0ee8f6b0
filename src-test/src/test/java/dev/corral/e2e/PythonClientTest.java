package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.ClassDaemon;
import dev.corral.e2e.support.Repo;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Json;
import dev.corral.protocol.Protocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client written in Python from PROTOCOL.md alone talks to the real daemon: the document is
 * enough to implement the wire without reading the Java code.
 */
class PythonClientTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    @ClassDaemon
    static Sandbox sandbox;

    private static Run.Result python(Path socket, String... command) {
        List<String> argv = Run.argv("python3", Repo.python("corral_client.py"), "--socket", socket);
        argv.addAll(List.of(command));
        return Run.command(Map.of(), DEADLINE, argv);
    }

    @Test
    void documentAndClientDescribeTheCodesVersion() throws IOException {
        String document = Files.readString(Repo.home().resolve("protocol/PROTOCOL.md"));
        assertTrue(document.startsWith("# The corral wire protocol, version " + Protocol.VERSION + "\n"),
                "Protocol.VERSION changed: update protocol/PROTOCOL.md, corral_client.py and this test");
        String client = Files.readString(Repo.python("corral_client.py"));
        assertTrue(client.contains("\nPROTOCOL_VERSION = " + Protocol.VERSION + "\n"),
                "corral_client.py must speak protocol " + Protocol.VERSION);
    }

    @Test
    void pingNamesTheProtocolVersion() {
        Run.Result ping = python(sandbox.socket(), "ping");
        assertEquals(0, ping.exit(), ping.toString());
        assertTrue(ping.out().startsWith("pong corrald "), ping.toString());
        assertTrue(ping.out().strip().endsWith(" protocol " + Protocol.VERSION), ping.toString());
    }

    @Test
    void statusPrintsTheDaemonStatusAsJson() throws IOException {
        Run.Result status = python(sandbox.socket(), "status");
        assertEquals(0, status.exit(), status.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.read(status.out().getBytes(StandardCharsets.UTF_8));
        assertEquals(sandbox.socket().toString(), json.get("socket"), status.toString());
        assertEquals((long) Protocol.VERSION, json.get("protocol"), status.toString());
        assertEquals(sandbox.lockHolderPid(), ((Number) json.get("pid")).longValue(), status.toString());
    }

    @Test
    void attachStreamsTheOutputAndExitsWithTheSessionsStatus() {
        Run.Result spawn = python(sandbox.socket(), "spawn", "py-exit", "--", "sh", "-c", "echo from-python; exit 7");
        assertEquals(0, spawn.exit(), spawn.toString());
        assertEquals("py-exit", spawn.out().strip(), spawn.toString());
        // Attaching after the exit still shows everything: the replay, then EXIT.
        Run.Result attach = python(sandbox.socket(), "attach", "py-exit");
        assertTrue(attach.out().contains("from-python"), attach.toString());
        assertEquals(7, attach.exit(), attach.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void eventsAreReplayedFromAnIdAndPrintedOneALine() throws IOException {
        Run.Result status = python(sandbox.socket(), "status");
        Map<String, Object> events = (Map<String, Object>) ((Map<String, Object>) Json.read(
                status.out().getBytes(StandardCharsets.UTF_8))).get("events");
        long before = ((Number) events.get("lastId")).longValue();
        // The program waits for a file, so it is surely running when the spawn is answered and its
        // start is announced: a program that exits at once may end before that, with no start event.
        Path go = dir.resolve("py-events-go");
        Run.Result spawn = python(sandbox.socket(), "spawn", "py-events", "--", "sh", "-c",
                "while [ ! -e \"$1\" ]; do sleep 0.05; done; exit 5", "sh", go.toString());
        assertEquals(0, spawn.exit(), spawn.toString());
        Files.createFile(go);

        Run.Result follow = python(sandbox.socket(), "events", "--channel", "sessions", "--since", Long.toString(before),
                "--count", "3");
        assertEquals(0, follow.exit(), follow.toString());
        List<String> lines = follow.out().lines().toList();
        assertEquals(3, lines.size(), follow.toString());
        Map<String, Object> spawned = (Map<String, Object>) Json.read(lines.get(0).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> started = (Map<String, Object>) Json.read(lines.get(1).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> exited = (Map<String, Object>) Json.read(lines.get(2).getBytes(StandardCharsets.UTF_8));
        assertEquals(Arrays.asList(1L, "session.spawned", "py-events"),
                Arrays.asList(spawned.get("seq"), spawned.get("type"), ((Map<String, Object>) spawned.get("data")).get("session")),
                follow.toString());
        assertEquals(Arrays.asList(2L, "session.started", "py-events"),
                Arrays.asList(started.get("seq"), started.get("type"), ((Map<String, Object>) started.get("data")).get("session")),
                follow.toString());
        assertEquals(Arrays.asList(3L, "session.exited", 5L),
                Arrays.asList(exited.get("seq"), exited.get("type"), ((Map<String, Object>) exited.get("data")).get("exitCode")),
                follow.toString());
        assertTrue(((Number) exited.get("id")).longValue() > ((Number) spawned.get("id")).longValue(), follow.toString());
    }

    @Test
    void attachToAnUnknownSessionFails() {
        Run.Result attach = python(sandbox.socket(), "attach", "no-such-session");
        assertEquals(1, attach.exit(), attach.toString());
        assertTrue(attach.err().contains("NO_SUCH_SESSION"), attach.toString());
    }

    @Test
    void socketWhereNothingListensExitsFive() {
        Run.Result ping = python(dir.resolve("nobody-home.sock"), "ping");
        assertEquals(5, ping.exit(), ping.toString());
        assertTrue(ping.err().contains("nobody-home.sock"), ping.toString());
    }
}
