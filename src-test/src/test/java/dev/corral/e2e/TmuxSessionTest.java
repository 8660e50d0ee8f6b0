package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.e2e.support.TerminalDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tmux sessions through bin/corral against a real tmux server on the sandbox's private socket:
 * what a user sees, including adoption by a new daemon after the old one was killed.
 */
class TmuxSessionTest {
    private static final Duration LIMIT = Deadline.LIMIT;

    @TempDir
    Path dir;
    Sandbox sandbox;

    @BeforeEach
    void startDaemon() throws IOException {
        sandbox = new Sandbox(dir);
        sandbox.startDaemon();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void spawnTailSendWaitOnThePrivateServer() throws IOException {
        Path cwd = Files.createDirectories(dir.resolve("work"));
        assertEquals("t1\n", sandbox.ok("spawn", "--kind", "tmux", "--name", "t1", "--cwd", cwd, "--env", "GREETING=hi there",
                "--", "sh", "-c", "echo \"$GREETING $CORRAL_SESSION $(pwd)\"; read line; echo \"got:$line\"; exit 3").out());

        Map<String, Object> shown = sandbox.show("t1");
        assertEquals("tmux", shown.get("kind"));
        assertEquals("running", shown.get("state"));
        assertEquals("alive", shown.get("liveness"));
        assertTrue(sandbox.tmux("list-sessions", "-F", "#{session_name}").out().contains("t1"),
                "the session lives on corral's own tmux server");

        sandbox.awaitTail("t1", "hi there t1 " + cwd);
        // Key names and shell syntax are typed as they are, never interpreted.
        sandbox.ok("send", "t1", "C-c Enter $HOME ;ls");
        assertEquals(3, sandbox.corral("wait", "t1").exit());
        sandbox.awaitTail("t1", "got:C-c Enter $HOME ;ls");

        Map<String, Object> ended = sandbox.show("t1");
        assertEquals("exited", ended.get("state"));
        assertEquals(3, ((Number) ended.get("exitCode")).intValue());
    }

    /**
     * A key logger in raw mode records every byte the pane's program reads, as hex: keys sent with
     * {@code send --no-enter}, the program's own arguments and an {@code --env} value must arrive
     * exactly, whitespace and control characters included (commons-exec used to trim them away).
     */
    @Test
    void keysArgumentsAndEnvironmentReachATmuxSessionByteExact() throws IOException {
        Path keys = dir.resolve("keys.hex");
        Path args = dir.resolve("args.hex");
        String logger = String.join("\n",
                "import os, sys, tty",
                "with open(sys.argv[2], 'w') as f:",
                "    f.write(' '.join(a.encode().hex() for a in sys.argv[3:]) + '|' + os.environ['PADDED'].encode().hex())",
                "tty.setraw(0)",
                "out = open(sys.argv[1], 'a')",
                "sys.stdout.write('LOGGING\\r\\n'); sys.stdout.flush()",
                "while True:",
                "    data = os.read(0, 64)",
                "    if not data: break",
                "    out.write(data.hex()); out.flush()");
        List<String> odd = List.of("\r", "  x  ", "", "a\nb", "' two '", "$(id);`id`|*");
        List<Object> spawn = new java.util.ArrayList<>(List.of("spawn", "--kind", "tmux", "--name", "keys",
                "--env", "PADDED=  padded \r", "--", "python3", "-c", logger, keys, args));
        spawn.addAll(odd);
        sandbox.ok(spawn.toArray());
        sandbox.awaitTail("keys", "LOGGING");

        StringBuilder expected = new StringBuilder();
        for (String key : List.of("\r", "\u0003", "\u001b", "' two '", "2\r")) {
            sandbox.ok("send", "--no-enter", "keys", key);
            expected.append(hex(key));
        }
        Deadline.await(LIMIT, () -> "the keys " + expected + " in " + keys + ", which holds '" + read(keys) + "'; screen:\n"
                + sandbox.corral("tail", "keys").out() + sandbox.logTail(20), () -> read(keys).equals(expected.toString()));

        StringBuilder argsHex = new StringBuilder();
        for (String arg : odd) {
            argsHex.append(argsHex.isEmpty() ? "" : " ").append(hex(arg));
        }
        assertEquals(argsHex + "|" + hex("  padded \r"), read(args), "the program's arguments and --env value, as hex");
    }

    private static String hex(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            out.append(String.format("%02x", b));
        }
        return out.toString();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new AssertionError("could not read " + file, e);
        }
    }

    @Test
    void spawnIsIdempotentAndADeadSessionIsReplaced() {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "again", "--", "sh", "-c", "read line; exit 4");
        Run.Result twice = sandbox.corral("spawn", "--kind", "tmux", "--name", "again", "--", "sleep", "100");
        assertEquals(4, twice.exit(), twice.toString());
        assertTrue(twice.err().contains("already up"), twice.err());

        sandbox.ok("send", "again", "bye");
        assertEquals(4, sandbox.corral("wait", "again").exit());
        sandbox.ok("spawn", "--kind", "tmux", "--name", "again", "--", "sh", "-c", "echo second-life; sleep 100");
        sandbox.awaitTail("again", "second-life");
        assertEquals("running", sandbox.show("again").get("state"));
    }

    @Test
    void killWithASignalGivesTheStatusAndLongTextGoesThroughAFile() {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "long", "--", "sh", "-c", "read line; echo \"length:${#line}\"; sleep 300");
        // Longer than what goes through argv, shorter than a terminal's line limit (4096).
        String text = "x".repeat(3000);
        sandbox.ok("send", "long", text);
        sandbox.awaitTail("long", "length:3000");
        sandbox.ok("kill", "--signal", "TERM", "long");
        assertEquals(143, sandbox.corral("wait", "long").exit());
        Run.Result again = sandbox.corral("kill", "long");
        assertEquals(4, again.exit(), again.toString());
        assertTrue(again.err().contains("already exited"), again.err());
    }

    @Test
    void attachWorksAsOnAPtySession() throws Exception {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "att", "--", "sh", "-c", "echo first-screen; read line; echo \"you said $line\"; exit 6");
        sandbox.awaitTail("att", "first-screen");
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach att; echo \"STATUS[$?]\"")) {
            terminal.await("first-screen", LIMIT);
            Deadline.await(LIMIT, () -> "the attach to be counted", () -> ((Number) sandbox.show("att").get("attached")).intValue() == 1);
            terminal.type(new byte[] {0x1c});
            terminal.await("STATUS[0]", LIMIT);
            assertTrue(terminal.text().contains("[detached from att]"), terminal.text());
        }
        assertEquals("running", sandbox.show("att").get("state"));
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach att; echo \"STATUS[$?]\"")) {
            terminal.await("first-screen", LIMIT);
            terminal.type("hello\r");
            terminal.await("you said hello", LIMIT);
            terminal.await("STATUS[6]", LIMIT);
            assertTrue(terminal.text().contains("[att exited with status 6]"), terminal.text());
        }
    }

    @Test
    void aReadOnlyAttachToATmuxSessionSeesButCannotType() throws Exception {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "watched", "--", "sh", "-c", "while read line; do echo got:$line; done");
        try (TerminalDriver watcher = TerminalDriver.start(sandbox, "\"$CORRAL\" attach watched --read-only; echo \"STATUS[$?]\"")) {
            Deadline.await(LIMIT, () -> "the read-only attach", () -> ((Number) sandbox.show("watched").get("attached")).intValue() == 1);
            watcher.type("from-watcher\r");
            sandbox.ok("send", "watched", "from-send");
            watcher.await("got:from-send", LIMIT);
            sandbox.ok("send", "watched", "second-send");
            watcher.await("got:second-send", LIMIT);
            assertFalse(watcher.text().contains("from-watcher"), "a read-only client's keys reached the program: " + watcher.text());
            String pane = sandbox.tmux("capture-pane", "-p", "-t", "watched").out();
            assertFalse(pane.contains("from-watcher"), "tmux's own pane holds the watcher's keys:\n" + pane);
            watcher.type(new byte[] {0x1c});
            watcher.await("STATUS[0]", LIMIT);
        }
    }

    @Test
    void aResizeReachesTheProgramInTmuxAndTmuxsWindowFollows() throws Exception {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "sized", "--", "sh", "-c", "read a; stty size; read b; stty size; sleep 300");
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach sized; echo \"STATUS[$?]\"")) {
            Deadline.await(LIMIT, () -> "the attach", () -> ((Number) sandbox.show("sized").get("attached")).intValue() == 1);
            terminal.type("\r");
            terminal.await("24 80", LIMIT);
            terminal.resize(132, 43);
            Deadline.await(LIMIT, () -> "tmux's window to be 132x43; it is "
                    + sandbox.tmux("display-message", "-p", "-t", "sized", "#{window_width}x#{window_height}").out(),
                    () -> sandbox.tmux("display-message", "-p", "-t", "sized", "#{window_width}x#{window_height}").out().strip()
                            .equals("132x43"));
            terminal.type("\r");
            terminal.await("43 132", LIMIT);
            terminal.type(new byte[] {0x1c});
            terminal.await("STATUS[0]", LIMIT);
        }
    }

    @Test
    void sessionsAreAdoptedAfterTheDaemonIsKilled() throws Exception {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "survivor", "--", "sh", "-c", "echo before-crash; read line; echo \"after:$line\"; exit 5");
        sandbox.ok("spawn", "--kind", "tmux", "--name", "finished", "--", "sh", "-c", "exit 2");
        assertEquals(2, sandbox.corral("wait", "finished").exit());
        sandbox.ok("spawn", "--name", "plain", "--", "sleep", "300");
        sandbox.awaitTail("survivor", "before-crash");
        Map<String, Object> before = sandbox.show("survivor");

        sandbox.crashDaemon();
        sandbox.startDaemon();

        Map<String, Object> adopted = sandbox.show("survivor");
        assertEquals("running", adopted.get("state"));
        for (String field : List.of("id", "pid", "command", "cwd", "createdAt")) {
            assertEquals(before.get(field), adopted.get(field), field + " must survive the restart");
        }
        assertEquals(2, ((Number) sandbox.show("finished").get("exitCode")).intValue(), "an exit status recorded before the crash is kept");
        assertEquals("lost", sandbox.show("plain").get("state"), "a PTY session dies with its daemon and is marked lost");

        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach survivor; echo \"STATUS[$?]\"")) {
            terminal.await("before-crash", LIMIT);
            Deadline.await(LIMIT, () -> "the attach to be counted", () -> ((Number) sandbox.show("survivor").get("attached")).intValue() == 1);
            terminal.type("still-here\r");
            terminal.await("after:still-here", LIMIT);
            terminal.await("STATUS[5]", LIMIT);
        }
        assertEquals(5, sandbox.corral("wait", "survivor").exit());
    }

    @Test
    void aGracefulRestartKeepsTmuxSessionsRunning() throws IOException {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "calm", "--", "sh", "-c", "read line; exit 9");
        sandbox.ok("daemon", "stop");
        sandbox.startDaemon();
        assertEquals("running", sandbox.show("calm").get("state"));
        sandbox.ok("send", "calm", "go");
        assertEquals(9, sandbox.corral("wait", "calm").exit());
    }

    @Test
    void missingTmuxIsNamedWithHowToInstallIt() throws IOException {
        sandbox.ok("daemon", "stop");
        // Every tool of /usr/bin except tmux: a machine without tmux installed.
        sandbox.withEnv("PATH", sandbox.pathWithout("tmux").toString());
        sandbox.startDaemon();
        Run.Result spawn = sandbox.corral("spawn", "--kind", "tmux", "--name", "nope", "--", "sleep", "1");
        assertEquals(1, spawn.exit(), spawn.toString());
        assertTrue(spawn.err().contains("tmux is not installed") && spawn.err().contains("apt-get install tmux"), spawn.err());
        assertTrue(spawn.err().contains("MISSING_DEPENDENCY"), spawn.err());
        assertEquals(3, sandbox.corral("show", "nope").exit(), "nothing was started");
    }
}
