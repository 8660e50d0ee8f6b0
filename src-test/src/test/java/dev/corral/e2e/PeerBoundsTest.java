package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every size a peer can send meets its bound with an answer: a stream-mode resize is held to
 * the spawn's 1000×1000, a reply over the frame limit becomes an error frame (never silence),
 * a connection that never says hello is closed, and past the connection cap the client says
 * BUSY with its own exit status.
 */
class PeerBoundsTest {
    @TempDir
    static Path dir;
    static Sandbox sandbox;

    @BeforeAll
    static void startDaemon() throws IOException {
        Files.createDirectories(dir.resolve("main"));
        sandbox = new Sandbox(dir.resolve("main"));
        sandbox.startDaemon("--hello-timeout-ms", "1000", "--replay-bytes", Integer.toString(6 * 1024 * 1024));
    }

    @AfterAll
    static void stopDaemon() {
        sandbox.close();
    }

    private static RawPeer greeted(Sandbox box) throws IOException {
        RawPeer peer = RawPeer.connect(box.socket());
        assertTrue(peer.hello().containsKey("result"));
        return peer;
    }

    @Test
    void aStreamResizePastTheSpawnLimitIsClampedToIt() throws IOException {
        sandbox.ok("spawn", "--name", "big", "--", "sleep", "120");
        try (RawPeer attached = greeted(sandbox)) {
            assertTrue(attached.request("session.attach", Map.of("name", "big")).containsKey("result"));
            attached.send(ByteBuffer.allocate(9).put((byte) 2).putInt(4).putShort((short) 65535).putShort((short) 65535)
                    .array());
            Deadline.await(Duration.ofSeconds(20), () -> "the resize to reach session big: " + sandbox.show("big"),
                    () -> !size(sandbox.show("big")).equals(Map.of("cols", 80, "rows", 24)));
            assertEquals(Map.of("cols", 1000, "rows", 1000), size(sandbox.show("big")));
        } finally {
            sandbox.corral("rm", "--force", "big");
        }
        Deadline.await(Duration.ofSeconds(10), () -> "the clamp in the log\n" + sandbox.logTail(10),
                () -> log().contains("clamped to 1000x1000"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> size(Map<String, Object> session) {
        Map<String, Object> size = (Map<String, Object>) session.get("size");
        return Map.of("cols", ((Number) size.get("cols")).intValue(), "rows", ((Number) size.get("rows")).intValue());
    }

    @Test
    void aListOverTheFrameLimitIsAnErrorNotSilence() throws IOException {
        List<String> names = new ArrayList<>();
        try (RawPeer peer = greeted(sandbox)) {
            for (int s = 0; s < 3; s++) {
                List<String> command = new ArrayList<>(List.of("sh", "-c", "sleep 120"));
                for (int a = 0; a < 14; a++) {
                    command.add(Character.toString('a' + a).repeat(120_000));
                }
                String name = "wide-" + s;
                Map<String, Object> spawned = peer.request("session.spawn",
                        Map.of("name", name, "command", command, "cwd", dir.toString()));
                assertTrue(spawned.containsKey("result"), spawned.toString().substring(0, 300));
                names.add(name);
            }
            assertEquals("REPLY_TOO_LARGE", errorCode(peer.request("session.list", Map.of("all", true))));
            assertTrue(peer.request("ping", null).containsKey("result"), "the connection stays usable");
            Run.Result ls = sandbox.corral("ls");
            assertNotEquals(0, ls.exit(), ls.toString());
            assertTrue(ls.err().contains("REPLY_TOO_LARGE"), ls.toString());
        } finally {
            for (String name : names) {
                sandbox.corral("rm", "--force", name);
            }
        }
        assertTrue(log().contains("reply to session.list"), sandbox.logTail(10));
    }

    @Test
    void aTailOverTheFrameLimitIsAnErrorNotSilence() throws IOException {
        sandbox.ok("spawn", "--name", "loud", "--", "sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' a; sleep 120");
        try (RawPeer peer = greeted(sandbox)) {
            Deadline.await(Duration.ofSeconds(30), () -> "the whole 5 MB in the replay", () -> {
                try {
                    Map<String, Object> frame = peer.request("session.tail", Map.of("name", "loud"));
                    return frame.containsKey("error") && errorCode(frame).equals("REPLY_TOO_LARGE");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(peer.request("ping", null).containsKey("result"), "the connection stays usable");
        } finally {
            sandbox.corral("rm", "--force", "loud");
        }
    }

    @Test
    void aConnectionThatNeverSaysHelloIsClosed() throws IOException {
        try (RawPeer greeted = greeted(sandbox); RawPeer silent = RawPeer.connect(sandbox.socket())) {
            long start = System.nanoTime();
            assertEquals("HELLO_REQUIRED", silent.readErrorCode());
            assertTrue(silent.closedByDaemon());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 800 && waited < 10_000, "closed after " + waited + " ms");
            assertTrue(greeted.request("ping", null).containsKey("result"), "a greeted connection is not timed out");
        }
    }

    @Test
    void pastTheConnectionCapTheClientSaysBusy() throws IOException {
        Files.createDirectories(dir.resolve("capped"));
        try (Sandbox capped = new Sandbox(dir.resolve("capped"))) {
            capped.startDaemon("--max-connections", "2");
            try (RawPeer one = greeted(capped); RawPeer two = greeted(capped)) {
                Run.Result ping = capped.corral("ping");
                assertEquals(75, ping.exit(), ping.toString());
                assertTrue(ping.err().contains("[BUSY]") && ping.err().contains("connections open"), ping.toString());
            }
            Deadline.await(Duration.ofSeconds(10), () -> "the cap to free up", () -> capped.corral("ping").exit() == 0);
        }
    }

    private static String errorCode(Map<String, Object> frame) {
        Object error = frame.get("error");
        if (!(error instanceof Map<?, ?> map)) {
            throw new AssertionError("expected an error frame, got " + frame.toString().substring(0, Math.min(300, frame.toString().length())));
        }
        return (String) map.get("code");
    }

    private static String log() {
        try {
            return Files.readString(sandbox.log());
        } catch (IOException e) {
            return "";
        }
    }
}
