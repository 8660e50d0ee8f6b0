package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.EventWatcher;
import dev.corral.e2e.support.Repo;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.e2e.support.TerminalDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * tmux sessions with real programs: the real Codex CLI ending beside live sessions (whose end
 * once crashed corral's tmux server), keys and colours byte-exact through attach, a tmux server
 * that dies, and the state a restarted daemon reports.
 */
class TmuxRealProgramsTest {
    private static final Duration LIMIT = Deadline.LIMIT;
    /** Codex's first screen: its sign-in choice (it reaches no service here). */
    private static final String CODEX_SCREEN = "Welcome to Codex";

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
        Run.endProgramsUnder(dir);
    }

    /** The codex binary that src-test/agents/install.sh put in the project's cache (bin/test runs it). */
    private static Path codex() {
        try (var dirs = Files.list(Repo.home().resolve(".cache/agent-clis"))) {
            Path found = dirs.filter(d -> d.getFileName().toString().startsWith("codex-"))
                    .map(d -> d.resolve("node_modules/.bin/codex")).filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new AssertionError("no codex in .cache/agent-clis: run src-test/agents/install.sh"));
            return found;
        } catch (IOException e) {
            throw new AssertionError("no .cache/agent-clis: run src-test/agents/install.sh", e);
        }
    }

    private void spawnCodex(String name) throws IOException {
        Path home = Files.createDirectories(dir.resolve("home-" + name));
        Path work = Files.createDirectories(dir.resolve("work-" + name));
        sandbox.ok("spawn", "--kind", "tmux", "--name", name, "--cwd", work, "--env", "HOME=" + home,
                "--", codex().toString());
        sandbox.awaitTail(name, CODEX_SCREEN);
    }

    private void spawnBystanders() {
        for (String name : List.of("left", "right")) {
            sandbox.ok("spawn", "--kind", "tmux", "--name", name, "--", "sh", "-c",
                    "echo " + name + "-up; while read line; do echo \"" + name + " got $line\"; done");
            sandbox.awaitTail(name, name + "-up");
        }
    }

    private String serverPid() {
        Run.Result pid = sandbox.tmux("display-message", "-p", "#{pid}");
        assertEquals(0, pid.exit(), "corral's tmux server answers: " + pid);
        return pid.out().strip();
    }

    /** Both bystanders are running, on the same server, and a client attached to each types and reads. */
    private void assertBystandersAlive(String server, String round) throws IOException {
        assertEquals(server, serverPid(), "corral's tmux server never restarted (" + round + ")");
        for (String name : List.of("left", "right")) {
            Map<String, Object> shown = sandbox.show(name);
            assertEquals("running", shown.get("state"), name + " after " + round + ": " + shown);
            assertEquals("alive", shown.get("liveness"), name + " after " + round);
        }
    }

    private void assertAttachable(String name, String word) throws IOException {
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach --no-replay " + name
                + "; echo \"STATUS[$?]\"")) {
            Deadline.await(LIMIT, () -> "the attach to " + name + " to be counted",
                    () -> ((Number) sandbox.show(name).get("attached")).intValue() == 1);
            terminal.type(word + "\r");
            terminal.await(name + " got " + word, LIMIT);
            terminal.type(new byte[] {0x1c});
            terminal.await("STATUS[0]", LIMIT);
        }
    }

    @Test
    @Timeout(600)
    void killRmAndExitOfCodexLeaveTheOtherSessionsAliveAndAttachable() throws IOException {
        spawnBystanders();
        String server = serverPid();

        spawnCodex("codex");
        sandbox.ok("kill", "codex");
        assertEquals(143, sandbox.corral("wait", "codex", "--timeout", "60").exit());
        assertBystandersAlive(server, "kill");

        spawnCodex("codex");
        sandbox.ok("rm", "--force", "codex");
        assertEquals(3, sandbox.corral("show", "codex").exit(), "removed");
        assertBystandersAlive(server, "rm --force");

        spawnCodex("codex");
        // Ctrl-C ends Codex at its sign-in screen: the program's own exit.
        sandbox.ok("send", "--no-enter", "codex", "\u0003");
        assertEquals(0, sandbox.corral("wait", "codex", "--timeout", "60").exit());
        assertBystandersAlive(server, "exit");

        assertAttachable("left", "hello-left");
        assertAttachable("right", "hello-right");
    }

    /**
     * The 20 consecutive cycles: each spawns Codex beside the two live sessions and ends it,
     * by kill and by its own exit in turn; none of the others is ever lost.
     */
    @Test
    @Timeout(1200)
    void twentyCodexKillAndExitCyclesLoseNoSession() throws IOException {
        spawnBystanders();
        String server = serverPid();
        for (int cycle = 1; cycle <= 20; cycle++) {
            String name = "codex-" + cycle;
            spawnCodex(name);
            if (cycle % 2 == 1) {
                sandbox.ok("kill", name);
                assertEquals(143, sandbox.corral("wait", name, "--timeout", "60").exit(), "cycle " + cycle);
            } else {
                sandbox.ok("send", "--no-enter", name, "\u0003");
                assertEquals(0, sandbox.corral("wait", name, "--timeout", "60").exit(), "cycle " + cycle);
            }
            sandbox.ok("rm", name);
            assertBystandersAlive(server, "cycle " + cycle);
        }
        assertAttachable("left", "after-twenty");
    }

    /**
     * What crashed tmux 3.3a under Codex, without Codex: a program that asked for focus reports
     * (CSI ? 1004 h) has died, and a client of its session leaves (a detach, the session's end).
     * tmux then writes a focus-out report to the dead pane and dies of SIGSEGV.
     */
    @Test
    @Timeout(300)
    void programsThatAskedForFocusReportsEndAndGoWithoutTakingTheServerDown() throws IOException {
        spawnBystanders();
        String server = serverPid();
        for (int round = 1; round <= 3; round++) {
            String name = "focus-" + round;
            sandbox.ok("spawn", "--kind", "tmux", "--name", name, "--", "sh", "-c",
                    "printf '\\033[?1004hfocus-on\\n'; read line; exit 2");
            sandbox.awaitTail(name, "focus-on");
            sandbox.ok("send", name, "bye");
            assertEquals(2, sandbox.corral("wait", name, "--timeout", "30").exit());
            assertTrue(sandbox.corral("tail", name).out().contains("focus-on"), "the last screen is kept");
            sandbox.ok("rm", name);
            assertBystandersAlive(server, "rm of " + name);
        }
        sandbox.ok("spawn", "--kind", "tmux", "--name", "focus-live", "--", "sh", "-c", "printf '\\033[?1004hfocus-on\\n'; sleep 300");
        sandbox.awaitTail("focus-live", "focus-on");
        sandbox.ok("rm", "--force", "focus-live");
        assertBystandersAlive(server, "rm --force");
    }

    /** A program that logs, in hex, every byte it reads from its terminal (raw mode) until it reads 'q'. */
    private static final String KEY_LOGGER = """
            import os, sys, termios, tty
            fd = sys.stdin.fileno()
            tty.setraw(fd)
            out = open(sys.argv[1], "ab", buffering=0)
            os.write(1, b"logger-ready\\r\\n")
            while True:
                data = os.read(fd, 1024)
                out.write(data)
                os.write(1, b"seen " + data.hex().encode() + b"\\r\\n")
                if b"q" in data:
                    break
            """;

    @Test
    @Timeout(300)
    void everyKeyReachesTheProgramByteExact() throws Exception {
        Path logger = dir.resolve("keylog.py");
        Files.writeString(logger, KEY_LOGGER);
        Path log = dir.resolve("keys.bin");
        sandbox.ok("spawn", "--kind", "tmux", "--name", "keys", "--", "python3", logger, log);
        sandbox.awaitTail("keys", "logger-ready");
        byte[] typed = "\u0002d\u0001x\u001b[A\u001b[200~pasted text\u001b[201~\u001bOP\u00e9;".getBytes(StandardCharsets.UTF_8);
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach keys; echo \"STATUS[$?]\"")) {
            terminal.await("logger-ready", LIMIT);
            Deadline.await(LIMIT, () -> "the attach to be counted", () -> ((Number) sandbox.show("keys").get("attached")).intValue() == 1);
            terminal.type(typed);
            Deadline.await(LIMIT, () -> "every typed byte in the key log", () -> read(log).getBytes(StandardCharsets.UTF_8).length >= typed.length);
            // Ctrl-b d would have detached tmux's client had the prefix been kept; the program still runs.
            assertEquals("running", sandbox.show("keys").get("state"));
            assertArrayEquals(typed, Files.readAllBytes(log), "the program read exactly what was typed, and nothing else");
        }
        // send: a text ending in ';' and a lone ';' are text, never tmux's command separator.
        sandbox.ok("send", "--no-enter", "keys", ";");
        sandbox.ok("send", "--no-enter", "keys", "a;");
        sandbox.ok("send", "--no-enter", "keys", "q");
        assertEquals(0, sandbox.corral("wait", "keys", "--timeout", "30").exit());
        byte[] all = Files.readAllBytes(log);
        assertEquals(new String(typed, StandardCharsets.UTF_8) + ";a;q", new String(all, StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(300)
    void coloursAndUnderlineStylesReachAnAttachedClientUnchanged() throws Exception {
        String styled = "\u001b[38;2;10;20;30mRGB\u001b[48;2;200;100;50mBG\u001b[4:3mCURLY\u001b[58;2;1;2;3mUNDERCOLOUR\u001b[0m";
        Path script = dir.resolve("colours.sh");
        Files.writeString(script, "printf '\\033[38;2;10;20;30mRGB\\033[48;2;200;100;50mBG\\033[4:3mCURLY"
                + "\\033[58;2;1;2;3mUNDERCOLOUR\\033[0m\\n'; echo colours-done; read line; echo \"then $line\"; "
                + "printf '\\033[38;2;90;80;70mLIVE\\033[0m\\n'; read line\n");
        sandbox.ok("spawn", "--kind", "tmux", "--name", "colours", "--", "sh", script);
        sandbox.awaitTail("colours", "colours-done");
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach colours; echo \"STATUS[$?]\"")) {
            terminal.await("colours-done", LIMIT);
            // What was written before the attach arrives as the screen model's redraw: the same styles, each SGR
            // written whole (underline colour may come in its colon form, 58:2::R:G:B).
            java.util.regex.Pattern redrawn = java.util.regex.Pattern.compile("\u001b\\[[0-9;:]*38;2;10;20;30mRGB"
                    + "\u001b\\[[0-9;:]*48;2;200;100;50mBG\u001b\\[[0-9;:]*4:3[0-9;:]*mCURLY"
                    + "\u001b\\[[0-9;:]*58(;2;|:2::)1[;:]2[;:]3mUNDERCOLOUR");
            assertTrue(terminal.text().contains(styled) || redrawn.matcher(terminal.text()).find(),
                    "24-bit colour, curly underline and underline colour as written: " + printable(terminal.text()));
            Deadline.await(LIMIT, () -> "the attach to be counted", () -> ((Number) sandbox.show("colours").get("attached")).intValue() == 1);
            terminal.type("go\r");
            terminal.await("then go", LIMIT);
            terminal.await("LIVE", LIMIT);
            assertTrue(terminal.text().contains("\u001b[38;2;90;80;70mLIVE"), "live output too: " + printable(terminal.text()));
        }
    }

    private static String printable(String text) {
        return text.replace("\u001b", "\\e");
    }

    @Test
    @Timeout(300)
    void aRestartReportsWhatTmuxSeesOfARunningAndAnExitedSession() throws Exception {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "running", "--", "sh", "-c", "echo up; read line; exit 4");
        sandbox.ok("spawn", "--kind", "tmux", "--name", "exited", "--", "sh", "-c", "echo bye; exit 3");
        assertEquals(3, sandbox.corral("wait", "exited", "--timeout", "30").exit());
        sandbox.ok("spawn", "--kind", "tmux", "--name", "gone", "--", "sh", "-c", "exit 5");
        assertEquals(5, sandbox.corral("wait", "gone", "--timeout", "30").exit());
        assertEquals(0, sandbox.tmux("kill-session", "-t", "=gone").exit(), "its tmux session ended by hand");
        sandbox.awaitTail("running", "up");
        Map<String, Object> runningBefore = sandbox.show("running");
        Map<String, Object> exitedBefore = sandbox.show("exited");

        sandbox.crashDaemon();
        sandbox.startDaemon();

        Map<String, String> tmuxView = new java.util.HashMap<>();
        for (String line : sandbox.tmux("list-panes", "-a", "-F", "#{session_name} #{pane_pid} #{pane_dead} #{pane_dead_status}")
                .out().split("\n")) {
            String[] words = line.split(" ", 2);
            tmuxView.put(words[0], words[1]);
        }
        Map<String, Object> running = sandbox.show("running");
        assertEquals("running", running.get("state"));
        assertEquals("alive", running.get("liveness"));
        assertEquals(runningBefore.get("pid"), running.get("pid"));
        assertEquals(running.get("pid") + " 0 ", tmuxView.get("running"), "tmux's view of the running one");

        Map<String, Object> exited = sandbox.show("exited");
        assertEquals("exited", exited.get("state"));
        assertEquals("dead", exited.get("liveness"), "an exited session is not alive: " + exited);
        assertEquals(3, ((Number) exited.get("exitCode")).intValue());
        assertEquals(exitedBefore.get("pid"), exited.get("pid"), "the pid is kept: " + exited);
        assertEquals(exited.get("pid") + " 1 3", tmuxView.get("exited"), "tmux's view of the exited one");

        Map<String, Object> gone = sandbox.show("gone");
        assertEquals("exited", gone.get("state"));
        assertEquals(5, ((Number) gone.get("exitCode")).intValue());
        assertEquals("absent", gone.get("liveness"), "tmux no longer has it: " + gone);

        sandbox.ok("send", "running", "done");
        assertEquals(4, sandbox.corral("wait", "running", "--timeout", "30").exit());
    }

    @Test
    @Timeout(300)
    void aTmuxServerThatDiesMarksItsSessionsLostAndTheNextSpawnStartsAFreshOne() throws Exception {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "one", "--", "sh", "-c", "echo screen-of-one; sleep 300");
        sandbox.ok("spawn", "--kind", "tmux", "--name", "two", "--", "sh", "-c", "echo screen-of-two; sleep 300");
        sandbox.awaitTail("one", "screen-of-one");
        sandbox.awaitTail("two", "screen-of-two");
        String server = serverPid();
        try (EventWatcher events = EventWatcher.start(sandbox, "--json", "events", "--channel", "sessions", "--since", "0")) {
            assertEquals(0, Run.command(Map.of(), LIMIT, List.of("kill", "-KILL", server)).exit());
            events.await("session.lost", "one");
            events.await("session.lost", "two");
        }
        for (String name : List.of("one", "two")) {
            Map<String, Object> shown = sandbox.show(name);
            assertEquals("lost", shown.get("state"), shown.toString());
            assertEquals("corral's tmux server died", shown.get("lostReason"), shown.toString());
            assertTrue(sandbox.corral("tail", name).out().contains("screen-of-" + name), "the last screen is kept");
        }
        sandbox.ok("spawn", "--kind", "tmux", "--name", "three", "--", "sh", "-c", "echo fresh; sleep 300");
        sandbox.awaitTail("three", "fresh");
        assertNotEquals(server, serverPid(), "a fresh server");
        assertEquals("running", sandbox.show("three").get("state"));
    }

    @Test
    void namesTmuxWouldRewriteAreRefused() {
        Run.Result dotted = sandbox.corral("spawn", "--kind", "tmux", "--name", "t.dot", "--", "sleep", "100");
        assertEquals(1, dotted.exit(), dotted.toString());
        assertTrue(dotted.err().contains("BAD_REQUEST") && dotted.err().contains("t_dot"), dotted.err());
        assertEquals(3, sandbox.corral("show", "t.dot").exit(), "nothing was started");
        assertFalse(sandbox.tmux("list-sessions", "-F", "#{session_name}").out().contains("t_dot"));
        // A PTY session may keep its dot; a generated tmux name never has one.
        sandbox.ok("spawn", "--name", "p.dot", "--", "sleep", "100");
        Path program = dir.resolve("run.me.sh");
        try {
            Files.writeString(program, "sleep 100\n");
            program.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        String generated = sandbox.ok("spawn", "--kind", "tmux", "--", program).out().strip();
        assertFalse(generated.contains("."), generated);
        assertEquals("running", sandbox.show(generated).get("state"));
    }

    @Test
    @Timeout(300)
    void aTmuxSessionWithoutARecordIsAdoptedByItsMarker() throws Exception {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "orphan", "--", "sh", "-c", "echo orphan-up; read line; exit 7");
        sandbox.awaitTail("orphan", "orphan-up");
        Object pid = sandbox.show("orphan").get("pid");
        // As if the daemon died between tmux creating the session and its record being written.
        sandbox.crashDaemon();
        Files.delete(sandbox.stateDir().resolve("sessions/orphan.json"));
        sandbox.startDaemon();

        Map<String, Object> adopted = sandbox.show("orphan");
        assertEquals("running", adopted.get("state"));
        assertEquals(pid, adopted.get("pid"));
        sandbox.ok("send", "orphan", "hi");
        assertEquals(7, sandbox.corral("wait", "orphan", "--timeout", "30").exit());
    }

    @Test
    @Timeout(300)
    void aSessionsEnvironmentNeverReachesTmuxsOwnProcesses() throws Exception {
        // A PATH whose sh and tmux leave a mark: anything tmux runs with the session's environment finds them.
        Path trap = Files.createDirectories(dir.resolve("trap"));
        Path marks = dir.resolve("marks");
        for (String tool : List.of("sh", "tmux")) {
            Path shim = trap.resolve(tool);
            Files.writeString(shim, "#!/bin/sh\necho \"" + tool + " $*\" >> " + marks + "\nexec /usr/bin/" + tool + " \"$@\"\n");
            shim.toFile().setExecutable(true);
        }
        sandbox.ok("spawn", "--kind", "tmux", "--name", "env", "--env", "PATH=" + trap + ":/usr/bin:/bin",
                "--env", "SESSION_ONLY=1", "--", "/bin/sh", "-c", "echo \"path=$PATH\"; read line; exit 3");
        sandbox.awaitTail("env", "path=" + trap);
        sandbox.ok("send", "env", "bye");
        assertEquals(3, sandbox.corral("wait", "env", "--timeout", "30").exit());
        sandbox.ok("rm", "env");
        assertFalse(Files.exists(marks), () -> "tmux ran a program with the session's PATH: " + read(marks));
        assertFalse(sandbox.tmux("show-environment", "-g").out().contains("SESSION_ONLY"),
                "the server's own environment is the daemon's");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
