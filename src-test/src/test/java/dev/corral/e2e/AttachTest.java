package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.ClassDaemon;
import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.e2e.support.TerminalDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bin/corral attach running in a real PTY that the test drives like a user's terminal. Each
 * script prints the terminal settings before and after, so every way of ending proves the
 * terminal was restored.
 */
class AttachTest {
    private static final Duration LIMIT = Deadline.LIMIT;
    private static final Pattern BEFORE_AFTER = Pattern.compile("BEFORE\\[(.*?)\\].*AFTER\\[(.*?)\\]", Pattern.DOTALL);

    @TempDir
    static Path dir;
    @ClassDaemon
    static Sandbox sandbox;

    /** A shell line that attaches and then reports the status and the terminal settings. */
    private static String attach(String args) {
        return "echo \"BEFORE[$(stty -g)]\"; \"$CORRAL\" attach " + args + "; echo \"STATUS[$?]\"; echo \"AFTER[$(stty -g)]\"";
    }

    private static void spawn(Object... args) {
        Object[] argv = new Object[args.length + 1];
        argv[0] = "spawn";
        System.arraycopy(args, 0, argv, 1, args.length);
        Run.Result result = sandbox.corral(argv);
        assertEquals(0, result.exit(), result.toString());
    }

    private static void assertRestored(TerminalDriver terminal) {
        Deadline.await(LIMIT, () -> "BEFORE/AFTER settings in:\n" + terminal.text(),
                () -> BEFORE_AFTER.matcher(terminal.text()).find());
        Matcher m = BEFORE_AFTER.matcher(terminal.text());
        assertTrue(m.find(), "no BEFORE/AFTER settings in:\n" + terminal.text());
        assertEquals(m.group(1), m.group(2), "the terminal settings were not restored");
    }

    @Test
    void exitStatusComesThroughAttachAndTheTerminalIsRestored() throws Exception {
        spawn("--name", "exits", "--", "sh", "-c", "read line; echo you said $line; exit 7");
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, attach("exits"))) {
            Deadline.await(LIMIT, () -> "the attach to be live", () -> attachedCount("exits") == 1);
            terminal.type("hello\r");
            terminal.await("you said hello", LIMIT);
            terminal.await("STATUS[7]", LIMIT);
            assertTrue(terminal.text().contains("[exits exited with status 7]"), terminal.text());
            terminal.waitFor(LIMIT);
            assertRestored(terminal);
        }
    }

    @Test
    void detachKeyLeavesTheSessionRunningAndReattachReplays() throws Exception {
        spawn("--name", "lasting", "--", "sh", "-c", "echo first-screen; cat");
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, attach("lasting --detach-key ^a"))) {
            terminal.await("first-screen", LIMIT);
            terminal.type("typed-line\r");
            terminal.await("typed-line", LIMIT);
            terminal.type(new byte[] {0x01});
            terminal.await("STATUS[0]", LIMIT);
            assertTrue(terminal.text().contains("[detached from lasting]"), terminal.text());
            terminal.waitFor(LIMIT);
            assertRestored(terminal);
        }
        assertEquals("running", state("lasting"));
        try (TerminalDriver again = TerminalDriver.start(sandbox, attach("lasting"))) {
            again.await("first-screen", LIMIT);
            again.await("typed-line", LIMIT);
            again.type(new byte[] {0x1c}); // the default detach key, Ctrl-\
            again.await("STATUS[0]", LIMIT);
            assertRestored(again);
        }
        try (TerminalDriver noReplay = TerminalDriver.start(sandbox, attach("lasting --no-replay"))) {
            Deadline.await(LIMIT, () -> "the attach to be live", () -> attachedCount("lasting") == 1);
            noReplay.type("fresh\r");
            noReplay.await("fresh", LIMIT);
            noReplay.type(new byte[] {0x1c});
            noReplay.await("STATUS[0]", LIMIT);
            assertFalse(noReplay.text().contains("first-screen"), "--no-replay must skip the buffer");
        }
    }

    @Test
    void readOnlyClientCannotType() throws Exception {
        // Reads and echoes every line, so keys that got through from the watcher would show.
        spawn("--name", "watched", "--", "sh", "-c", "while read line; do echo got:$line; done");
        try (TerminalDriver watcher = TerminalDriver.start(sandbox, attach("watched --read-only"))) {
            Deadline.await(LIMIT, () -> "the read-only attach", () -> attachedCount("watched") == 1);
            watcher.type("from-watcher\r");
            // A peer that asked for read-only and sends keys anyway (the client never would):
            // the daemon, not the client, must drop them.
            try (RawPeer raw = RawPeer.connect(sandbox.socket())) {
                raw.hello();
                Map<String, Object> attached = raw.request(dev.corral.protocol.Op.ATTACH,
                        Map.of("name", "watched", "readOnly", true, "noReplay", true));
                assertTrue(attached.containsKey("result"), attached.toString());
                byte[] keys = "from-raw-peer\r".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                raw.send(java.nio.ByteBuffer.allocate(dev.corral.protocol.Stream.HEADER_BYTES + keys.length)
                        .put(dev.corral.protocol.Stream.DATA).putInt(keys.length).put(keys).array());
                // The watcher's and the raw peer's keys left first; two sends later, whatever of them got through has been read.
                sandbox.ok("send", "watched", "from-send");
                watcher.await("got:from-send", LIMIT);
                sandbox.ok("send", "watched", "second-send");
                watcher.await("got:second-send", LIMIT);
                assertFalse(watcher.text().contains("from-watcher"),
                        "a read-only client's keys reached the program (echoed or read): " + watcher.text());
                assertFalse(sandbox.ok("tail", "watched").out().contains("from-watcher"), "the program's output holds the watcher's keys");
                assertFalse(sandbox.ok("tail", "watched").out().contains("from-raw-peer"),
                        "the daemon let a read-only peer's keys through: " + sandbox.ok("tail", "watched").out());
            }
            watcher.type(new byte[] {0x1c});
            watcher.await("STATUS[0]", LIMIT);
        }
        sandbox.ok("rm", "--force", "watched");
    }

    @Test
    void resizeReachesTheProgram() throws Exception {
        spawn("--name", "sized", "--", "sh", "-c", "read a; stty size; read b; stty size; sleep 300");
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, attach("sized"))) {
            Deadline.await(LIMIT, () -> "the attach", () -> attachedCount("sized") == 1);
            terminal.type("\r");
            terminal.await("24 80", LIMIT);
            terminal.resize(132, 43);
            Deadline.await(LIMIT, () -> "the resize to reach the session",
                    () -> sandbox.corral("--json", "show", "sized").out().contains("\"cols\":132"));
            terminal.type("\r");
            terminal.await("43 132", LIMIT);
            terminal.type(new byte[] {0x1c});
            terminal.await("STATUS[0]", LIMIT);
        }
        sandbox.ok("rm", "--force", "sized");
    }

    @ParameterizedTest
    @CsvSource({"TERM, 15", "HUP, 1", "INT, 2"})
    void aSignalToTheClientRestoresTheTerminal(String signal, int number) throws Exception {
        String name = "signalled-" + signal.toLowerCase();
        spawn("--name", name, "--", "sleep", "300");
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, attach(name))) {
            Deadline.await(LIMIT, () -> "the attach", () -> attachedCount(name) == 1);
            Run.Result kill = Run.command(java.util.Map.of(), LIMIT, java.util.List.of("kill", "-s", signal,
                    Long.toString(attachClient(terminal).pid())));
            assertEquals(0, kill.exit(), kill.toString());
            terminal.await("AFTER[", LIMIT);
            assertTrue(terminal.text().contains("[detached from " + name + ": SIG" + signal + "]"), terminal.text());
            assertTrue(terminal.text().contains("STATUS[" + (128 + number) + "]"), terminal.text());
            assertRestored(terminal);
        }
        assertEquals("running", state(name), "a signal to the client leaves the session running");
        sandbox.ok("rm", "--force", name);
    }

    @Test
    void losingTheDaemonRestoresTheTerminal(@TempDir Path own) throws Exception {
        try (Sandbox alone = new Sandbox(own)) {
            alone.startDaemon();
            Run.Result spawned = alone.corral("spawn", "--name", "orphan", "--", "sleep", "300");
            assertEquals(0, spawned.exit(), spawned.toString());
            try (TerminalDriver terminal = TerminalDriver.start(alone, attach("orphan"))) {
                Deadline.await(LIMIT, () -> "the attach", () -> attachedCount(alone, "orphan") == 1);
                alone.crashDaemon();
                terminal.await("AFTER[", LIMIT);
                assertTrue(terminal.text().contains("[lost connection to corrald]"), terminal.text());
                assertTrue(terminal.text().contains("STATUS[125]"), terminal.text());
                assertRestored(terminal);
            }
        }
    }

    private static ProcessHandle attachClient(TerminalDriver terminal) {
        return ProcessHandle.of(terminal.pid()).orElseThrow().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("corral.jar")).findFirst().orElseThrow();
    }

    @Test
    void twentyMebibyteBurstArrivesByteExactWhileAStalledClientIsLeftBehind() throws Exception {
        Path payload = dir.resolve("payload.bin");
        byte[] data = new byte[20 * 1024 * 1024];
        new java.util.Random(42).nextBytes(data);
        // Printable and newline-free: the PTY's output processing (ONLCR) leaves them as they are.
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + (data[i] & 0x0f));
        }
        Files.write(payload, data);
        spawn("--name", "burst", "--", "sh", "-c", "stty -echo; read go; cat " + payload + "; read done");

        try (RawPeer stalled = RawPeer.connect(sandbox.socket())) {
            stalled.hello();
            stalled.sendFrame("{\"id\": 2, \"op\": \"session.attach\", \"args\": {\"name\": \"burst\", \"readOnly\": true}}");
            // This peer never reads again.
            Path out = dir.resolve("burst.out");
            ProcessBuilder builder = new ProcessBuilder(dev.corral.e2e.support.Repo.corral().toString(), "attach", "burst", "--read-only")
                    .redirectOutput(out.toFile()).redirectError(dir.resolve("burst.err").toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            builder.environment().putAll(sandbox.env());
            Process reader = builder.start();
            Deadline.await(LIMIT, () -> "both clients attached", () -> attachedCount("burst") == 2);
            assertEquals(0, sandbox.corral("send", "burst", "go").exit());
            Deadline.await(Duration.ofSeconds(120), () -> "20 MiB at the reading client (" + out.toFile().length() + ")",
                    () -> out.toFile().length() >= data.length);
            // The stalled peer was dropped: only the reading client is still counted, and the
            // daemon closed the stalled one's connection (what it had queued drains, then EOF).
            Deadline.await(LIMIT, () -> "the stalled client to be dropped (attached " + attachedCount("burst") + ")",
                    () -> attachedCount("burst") == 1);
            assertTrue(stalled.closedByDaemon(), "the daemon keeps the stalled client's connection open");
            assertEquals(0, sandbox.corral("send", "burst", "done").exit());
            assertTrue(reader.waitFor(LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "attach did not end with the session");
            byte[] received = Files.readAllBytes(out);
            // The program's bytes come between the redraw (modes, at most a few KiB here) and the
            // client's terminal restore at the end, byte-exact.
            int start = 0;
            while (start < 8192 && start + data.length <= received.length
                    && !java.util.Arrays.equals(received, start, start + 64, data, 0, 64)) {
                start++;
            }
            assertTrue(received.length - start - data.length < 512, "only the terminal restore follows the stream ("
                    + (received.length - start - data.length) + " bytes)");
            assertArrayEquals(sha256(data), sha256(java.util.Arrays.copyOfRange(received, start, start + data.length)),
                    "the stream is not byte-exact (" + received.length + " bytes)");
            assertTrue(Files.readString(dir.resolve("burst.err")).contains("[burst exited with status 0]"),
                    Files.readString(dir.resolve("burst.err")));
        }
    }

    @Test
    void twoClientsSeeIdenticalBytes() throws Exception {
        spawn("--name", "shared", "--", "sh", "-c", "stty -echo; read go; seq 1 20000; read done");
        Process[] clients = new Process[2];
        Path[] outs = new Path[2];
        for (int i = 0; i < 2; i++) {
            outs[i] = dir.resolve("shared-" + i + ".out");
            ProcessBuilder builder = new ProcessBuilder(dev.corral.e2e.support.Repo.corral().toString(), "attach", "shared", "--read-only")
                    .redirectOutput(outs[i].toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            builder.environment().putAll(sandbox.env());
            clients[i] = builder.start();
        }
        Deadline.await(LIMIT, () -> "both clients attached", () -> attachedCount("shared") == 2);
        assertEquals(0, sandbox.corral("send", "shared", "go").exit());
        Deadline.await(LIMIT, () -> "the last number at both clients", () -> {
            try {
                return Files.readString(outs[0]).contains("\r\n20000\r\n") && Files.readString(outs[1]).contains("\r\n20000\r\n");
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals(0, sandbox.corral("send", "shared", "done").exit());
        for (Process client : clients) {
            assertTrue(client.waitFor(LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "attach did not end with the session");
            assertEquals(0, client.exitValue(), "attach exits with the session's status");
        }
        assertArrayEquals(Files.readAllBytes(outs[0]), Files.readAllBytes(outs[1]), "the two clients saw different bytes");
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static String state(String name) {
        return String.valueOf(sandbox.show(name).get("state"));
    }

    private static long attachedCount(String name) {
        return attachedCount(sandbox, name);
    }

    private static long attachedCount(Sandbox where, String name) {
        return ((Number) where.show(name).get("attached")).longValue();
    }

}
