package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.corral.e2e.support.ClassDaemon;
import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Stream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session's data path, end to end: keystrokes typed by an attached client while 20 MiB of
 * output flows the other way all reach the program, in order, and the output reaches the client
 * byte-exact; and sessions cost the daemon no reader or writer thread of their own.
 */
@Timeout(300)
class DataPathTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int KEYSTROKE_LINES = 1000;

    @TempDir
    static Path dir;
    @ClassDaemon
    static Sandbox sandbox;

    @Test
    void keystrokesTypedWhileTwentyMebibytesFlowAreAllReadInOrderAndTheOutputIsByteExact() throws Exception {
        Path payload = dir.resolve("payload.bin");
        byte[] data = new byte[20 * 1024 * 1024];
        new java.util.Random(7).nextBytes(data);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + (data[i] & 0x0f)); // printable, no newline: the PTY leaves them as they are
        }
        Files.write(payload, data);
        Path typed = dir.resolve("typed.txt");
        // Output: only the payload (no echo). Input: every line goes to a file, so none mixes with the output.
        String script = "stty -echo; read go; cat \"$1\" & while IFS= read -r line; do [ \"$line\" = end ] && break; "
                + "printf '%s\\n' \"$line\" >> \"$2\"; done; wait; exit 3";
        Run.Result spawned = sandbox.corral("spawn", "--name", "flow", "--", "sh", "-c", script, "flow", payload, typed);
        assertEquals(0, spawned.exit(), spawned.toString());

        try (RawPeer client = RawPeer.connect(sandbox.socket())) {
            client.hello();
            Map<String, Object> attached = client.request("session.attach", Map.of("name", "flow", "noReplay", true));
            assertTrue(attached.containsKey("result"), attached.toString());
            CompletableFuture<Received> reading = CompletableFuture.supplyAsync(() -> readUntilExit(client));
            client.sendStream(Stream.DATA, "go\r".getBytes(StandardCharsets.US_ASCII));
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < KEYSTROKE_LINES; i++) {
                String line = String.format("key-%04d", i);
                lines.add(line);
                client.sendStream(Stream.DATA, (line + "\r").getBytes(StandardCharsets.US_ASCII));
                if (i % 10 == 0) {
                    Thread.sleep(2); // a typist's pace in bursts, while the output streams
                }
            }
            Deadline.await(LIMIT, () -> "every typed line in " + typed, () -> lineCount(typed) >= KEYSTROKE_LINES);
            client.sendStream(Stream.DATA, "end\r".getBytes(StandardCharsets.US_ASCII));
            Received received = reading.get(120, TimeUnit.SECONDS);

            assertEquals(lines, Files.readAllLines(typed), "keystrokes were lost, repeated or reordered");
            assertEquals("{\"exitCode\":3}", received.exit(), "the exit status");
            byte[] output = received.output();
            int start = indexOf(output, data, 0, 64);
            assertTrue(start >= 0 && start < 8192, "the payload does not start within the first 8 KiB of output");
            assertEquals(data.length, output.length - start, "output bytes after the payload's start");
            assertArrayEquals(sha256(data), sha256(java.util.Arrays.copyOfRange(output, start, output.length)),
                    "the output is not byte-exact");
        }
    }

    @Test
    void sessionsRunWithoutAReaderOrWriterThreadEach() throws Exception {
        long daemon = sandbox.lockHolderPid();
        assertTrue(daemon > 0, "no daemon pid");
        for (int i = 0; i < 20; i++) {
            assertEquals(0, sandbox.corral("spawn", "--name", "quiet-" + i, "--", "sh", "-c", "echo up; sleep 600").exit());
        }
        for (int i = 0; i < 20; i++) {
            sandbox.awaitTail("quiet-" + i, "up");
        }
        // Type into each, so that a writer thread would exist if there were one per terminal.
        for (int i = 0; i < 20; i++) {
            assertEquals(0, sandbox.corral("send", "quiet-" + i, "x").exit());
        }
        assumeTrue(!Files.readString(sandbox.log()).contains("a reader thread per terminal"),
                "the daemon serves terminals with threads here (no epoll, or -Dcorral.ptyIo=threads)");
        List<String> threads = threadNames(daemon);
        List<String> perTerminal = threads.stream().filter(n -> n.startsWith("pty-read") || n.startsWith("pty-write")).toList();
        assertEquals(List.of(), perTerminal, "threads of their own for terminals, among " + threads);
        assertTrue(threads.stream().anyMatch(n -> n.startsWith("corral-pty")), "no PTY event loop thread among " + threads);
        assertTrue(Files.readString(sandbox.log()).contains("PTY I/O: epoll"), "the log does not say epoll serves terminals");
        // pty4j keeps a reaper thread per process (blocked in waitpid): the one thread a session still costs.
        long reapers = threads.stream().filter(n -> n.startsWith("PtyProcess Reap")).count();
        long jdkWaiters = threads.stream().filter(n -> n.startsWith("process reaper")).count();
        assertTrue(jdkWaiters <= 2, jdkWaiters + " JDK process reaper threads: the exit is watched with a thread per session");
        assertTrue(reapers <= 21, reapers + " pty4j reaper threads for 20 sessions");
        for (int i = 0; i < 20; i++) {
            sandbox.corral("kill", "quiet-" + i);
        }
    }

    private record Received(byte[] output, String exit) {}

    private static Received readUntilExit(RawPeer client) {
        ByteArrayOutputStream output = new ByteArrayOutputStream(21 * 1024 * 1024);
        try {
            while (true) {
                RawPeer.StreamMessage message = client.readStream();
                if (message.type() == Stream.DATA) {
                    output.write(message.payload());
                } else if (message.type() == Stream.EXIT) {
                    return new Received(output.toByteArray(), new String(message.payload(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("after " + output.size() + " bytes", e);
        }
    }

    /** Thread names of a process, from /proc (Linux). */
    private static List<String> threadNames(long pid) throws IOException {
        List<String> names = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    names.add(Files.readString(task.resolve("comm")).strip());
                } catch (IOException gone) {
                    // the thread ended while listing
                }
            }
        }
        return names;
    }

    private static long lineCount(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from, int length) {
        for (int i = from; i + length <= haystack.length && i < 65536; i++) {
            if (java.util.Arrays.equals(haystack, i, i + length, needle, 0, length)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
