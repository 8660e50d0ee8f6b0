package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.ClassDaemon;
import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input limits as PROTOCOL.md gives them: a request frame is strict UTF-8 (no overlong forms,
 * surrogates, code points past U+10FFFF, byte-order mark, UTF-16 or UTF-32), and a foreign peer
 * that keeps knocking costs one log line a minute, not one per connection.
 */
class StrictInputTest {
    /** The text rides in a member a request may carry and the daemon ignores (ping's args take no field). */
    private static final String REQUEST = "{\"id\":7,\"op\":\"ping\",\"note\":\"";
    private static final String END = "\"}";

    @TempDir
    static Path dir;
    @ClassDaemon
    static Sandbox sandbox;

    private static byte[] withInside(byte... inside) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(REQUEST.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(inside);
        out.writeBytes(END.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] encoded(String charset, boolean bom) {
        byte[] body = (REQUEST + "x" + END).getBytes(Charset.forName(charset));
        if (!bom) {
            return body;
        }
        byte[] mark = "\uFEFF".getBytes(Charset.forName(charset));
        byte[] both = new byte[mark.length + body.length];
        System.arraycopy(mark, 0, both, 0, mark.length);
        System.arraycopy(body, 0, both, mark.length, body.length);
        return both;
    }

    @Test
    void everyNonStrictUtf8FrameIsBadJson() throws IOException {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("overlong '/' (C0 AF)", withInside((byte) 0xC0, (byte) 0xAF));
        cases.put("overlong NUL (E0 80 80)", withInside((byte) 0xE0, (byte) 0x80, (byte) 0x80));
        cases.put("overlong 4-byte (F0 80 80 AF)", withInside((byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF));
        cases.put("high surrogate (ED A0 80)", withInside((byte) 0xED, (byte) 0xA0, (byte) 0x80));
        cases.put("low surrogate (ED BF BF)", withInside((byte) 0xED, (byte) 0xBF, (byte) 0xBF));
        cases.put("past U+10FFFF (F4 90 80 80)", withInside((byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80));
        cases.put("5-byte form (F8 88 80 80 80)", withInside((byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80));
        cases.put("UTF-8 BOM", encoded("UTF-8", true));
        cases.put("UTF-16BE", encoded("UTF-16BE", false));
        cases.put("UTF-16LE", encoded("UTF-16LE", false));
        cases.put("UTF-16 with BOM", encoded("UTF-16BE", true));
        cases.put("UTF-32BE", encoded("UTF-32BE", false));
        cases.put("UTF-32LE", encoded("UTF-32LE", false));
        Map<String, String> answers = new LinkedHashMap<>();
        try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
            assertTrue(peer.hello().containsKey("result"));
            for (Map.Entry<String, byte[]> entry : cases.entrySet()) {
                peer.sendFrame(entry.getValue());
                Map<String, Object> frame = peer.readFrame();
                answers.put(entry.getKey(), frame.containsKey("result") ? "accepted"
                        : (String) ((Map<?, ?>) frame.get("error")).get("code"));
            }
            // The same request in strict UTF-8, with a real 4-byte character, is served.
            peer.sendFrame((REQUEST + "\uD83D\uDE00 é" + END).getBytes(StandardCharsets.UTF_8));
            assertTrue(peer.readFrame().containsKey("result"), "strict UTF-8 is still served");
        }
        Map<String, String> expected = new LinkedHashMap<>();
        cases.keySet().forEach(name -> expected.put(name, "BAD_JSON"));
        assertEquals(expected, answers);
    }

    /** Found by the reliability probe's fuzzer: a NUL in a path argument was answered INTERNAL. */
    @Test
    void aNulInAPathArgumentIsABadRequest() throws IOException {
        try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
            assertTrue(peer.hello().containsKey("result"));
            Map<String, Object> spawn = peer.request("session.spawn",
                    Map.of("command", java.util.List.of("true"), "cwd", "/tmp/a\u0000b"));
            assertEquals("BAD_REQUEST", ((Map<?, ?>) spawn.get("error")).get("code"), spawn.toString());
        }
    }

    private static final int NOBODY = 65534;
    private static final String KNOCKER = String.join("\n",
            "import socket, sys",
            "for i in range(int(sys.argv[2])):",
            "    s = socket.socket(socket.AF_UNIX)",
            "    s.connect(sys.argv[1])",
            "    s.recv(4096)",
            "    s.close()",
            "print('done')",
            "");

    @Test
    void aForeignPeerThatKeepsKnockingIsLoggedOnceAMinute() throws IOException {
        Path open = dir.resolve("knock");
        Files.createDirectories(open);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(sandbox.dir(), PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(sandbox.socket().getParent(), PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(sandbox.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
        Path script = open.resolve("knock.py");
        Files.writeString(script, KNOCKER);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        Run.Result result = Run.command(Map.of(), Duration.ofSeconds(60), Run.argv("setpriv",
                "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "/usr/bin/python3", script,
                sandbox.socket(), 50));
        assertEquals(0, result.exit(), result.toString());
        Deadline.await(Duration.ofSeconds(10), () -> "the refusal in the log", () -> refusals() >= 1);
        assertTrue(RawPeer.answers(sandbox.socket()));
        assertEquals(1, refusals(), "50 refused connections within a minute logged " + refusals() + " times");
    }

    private static long refusals() {
        try {
            return Files.readAllLines(sandbox.log()).stream()
                    .filter(line -> line.contains("refused a connection from uid " + NOBODY)).count();
        } catch (IOException e) {
            return 0;
        }
    }
}
