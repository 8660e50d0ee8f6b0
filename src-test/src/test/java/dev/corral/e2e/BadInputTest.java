package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input over a real socket: each gets its stable error code (or a closed
 * connection past the size limit), and the daemon goes on serving everyone else.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    static Sandbox sandbox;
    static Process daemon;

    @BeforeAll
    static void startDaemon() throws IOException {
        sandbox = new Sandbox(dir);
        daemon = sandbox.startDaemon("--frame-timeout-ms", "500");
    }

    @AfterAll
    static void stopDaemon() {
        sandbox.close();
    }

    @AfterEach
    void othersAreStillServed() {
        assertTrue(RawPeer.answers(sandbox.socket()), "the daemon stopped serving other clients");
    }

    private static RawPeer greeted() throws IOException {
        RawPeer peer = RawPeer.connect(sandbox.socket());
        assertTrue(peer.hello().containsKey("result"));
        return peer;
    }

    @Test
    void oversizedLengthPrefixIsRefusedAndClosed() throws IOException {
        try (RawPeer peer = greeted()) {
            peer.send(ByteBuffer.allocate(4).putInt(64 * 1024 * 1024).array());
            assertEquals("FRAME_TOO_LARGE", peer.readErrorCode());
            assertTrue(peer.closedByDaemon());
        }
    }

    @Test
    void garbageWhereALengthBelongsIsRefusedAndClosed() throws IOException {
        try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
            peer.send("GET / HTTP/1.1\r\nHost: corral\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("FRAME_TOO_LARGE", peer.readErrorCode());
            assertTrue(peer.closedByDaemon());
        }
    }

    @Test
    void garbageBytesInAFrameAreBadJson() throws IOException {
        try (RawPeer peer = greeted()) {
            peer.sendFrame(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x13, 0x37});
            assertEquals("BAD_JSON", peer.readErrorCode());
            assertTrue(peer.request("ping", null).containsKey("result"), "the connection stays usable");
        }
    }

    @Test
    void invalidJsonIsBadJson() throws IOException {
        try (RawPeer peer = greeted()) {
            peer.sendFrame("{\"id\": 1, \"op\": \"ping\"");
            assertEquals("BAD_JSON", peer.readErrorCode());
            peer.sendFrame("{\"id\": 2, \"op\": \"ping\"} trailing");
            assertEquals("BAD_JSON", peer.readErrorCode());
            peer.sendFrame("");
            assertEquals("BAD_JSON", peer.readErrorCode());
        }
    }

    @Test
    void jsonThatIsNotAnObjectIsABadRequest() throws IOException {
        try (RawPeer peer = greeted()) {
            for (String notAnObject : List.of("[1, 2]", "\"ping\"", "42", "null")) {
                peer.sendFrame(notAnObject);
                assertEquals("BAD_REQUEST", peer.readErrorCode(), notAnObject);
            }
        }
    }

    @Test
    void unknownOperationNamesTheKnownOnes() throws IOException {
        try (RawPeer peer = greeted()) {
            peer.sendFrame("{\"id\": 9, \"op\": \"teleport\"}");
            Map<String, Object> frame = peer.readFrame();
            assertEquals(9L, frame.get("id"));
            @SuppressWarnings("unchecked")
            Map<String, Object> error = (Map<String, Object>) frame.get("error");
            assertEquals("UNKNOWN_OP", error.get("code"));
            assertTrue(((String) error.get("message")).contains("ping"), error.toString());
        }
    }

    @Test
    void missingIdOrOpIsABadRequest() throws IOException {
        try (RawPeer peer = greeted()) {
            peer.sendFrame("{\"op\": \"ping\"}");
            Map<String, Object> frame = peer.readFrame();
            assertTrue(frame.containsKey("id") && frame.get("id") == null, frame.toString());
            assertTrue(frame.toString().contains("BAD_REQUEST"), frame.toString());
            peer.sendFrame("{\"id\": 3}");
            assertEquals("BAD_REQUEST", peer.readErrorCode());
            peer.sendFrame("{\"id\": 4, \"op\": \"ping\", \"args\": [1]}");
            assertEquals("BAD_REQUEST", peer.readErrorCode());
        }
    }

    @Test
    void requestsBeforeHelloAreRefused() throws IOException {
        try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
            peer.sendFrame("{\"id\": 1, \"op\": \"ping\"}");
            assertEquals("HELLO_REQUIRED", peer.readErrorCode());
            assertTrue(peer.hello().containsKey("result"));
            assertTrue(peer.request("ping", null).containsKey("result"));
        }
    }

    @Test
    void versionMismatchIsRefusedAndClosed() throws IOException {
        try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
            peer.sendFrame("{\"id\": 1, \"op\": \"hello\", \"args\": {\"version\": 999}}");
            Map<String, Object> frame = peer.readFrame();
            assertTrue(frame.toString().contains("VERSION_MISMATCH"), frame.toString());
            assertTrue(frame.toString().contains("protocol 999"), frame.toString());
            assertTrue(peer.closedByDaemon());
        }
    }

    @Test
    void frameCutOffMidwayIsReported() throws IOException {
        try (RawPeer peer = greeted()) {
            byte[] payload = "{\"id\": 5, \"op\": \"ping\"}".getBytes(StandardCharsets.UTF_8);
            ByteBuffer frame = ByteBuffer.allocate(4 + 10).putInt(payload.length).put(payload, 0, 10);
            peer.send(frame.array());
            peer.shutdownOutput();
            assertEquals("TRUNCATED_FRAME", peer.readErrorCode());
            assertTrue(peer.closedByDaemon());
        }
    }

    @Test
    void frameThatStopsArrivingTimesOut() throws IOException {
        try (RawPeer peer = greeted()) {
            peer.send(new byte[] {0, 0, 0, 50, '{', '"'});
            assertEquals("TRUNCATED_FRAME", peer.readErrorCode());
            assertTrue(peer.closedByDaemon());
        }
    }

    @Test
    void framesSplitAtEveryByteStillDecode() throws IOException {
        try (RawPeer peer = greeted()) {
            byte[] payload = "{\"id\": 77, \"op\": \"ping\"}".getBytes(StandardCharsets.UTF_8);
            byte[] frame = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
            for (byte b : frame) {
                peer.send(new byte[] {b});
            }
            Map<String, Object> answer = peer.readFrame();
            assertEquals(77L, answer.get("id"));
            assertTrue(answer.containsKey("result"));
        }
    }

    @Test
    void hundredsOfHalfFramesThatVanishLeakNothing() throws IOException {
        long pid = sandbox.lockHolderPid();
        int before = openDescriptors(pid);
        List<RawPeer> peers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            RawPeer peer = RawPeer.connect(sandbox.socket());
            peer.send(new byte[] {0, 0, 1, 0, '{', '"', 'i'});
            peers.add(peer);
        }
        for (RawPeer peer : peers) {
            peer.close();
        }
        Deadline.await(Duration.ofSeconds(30),
                () -> "the daemon's descriptors to return to " + before + " (now " + openDescriptors(pid) + ")",
                () -> openDescriptors(pid) <= before);
    }

    private static int openDescriptors(long pid) {
        try (var entries = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) entries.count();
        } catch (IOException e) {
            throw new AssertionError("cannot count descriptors of pid " + pid, e);
        }
    }
}
