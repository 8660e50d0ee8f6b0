package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
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

/** Behaviours no other end-to-end test covered: send without Enter, replacing an ended PTY session, SIGINT, the user's tmux. */
class SessionCornersTest {
    private static final Duration LIMIT = Deadline.LIMIT;

    @TempDir
    Path dir;
    Sandbox sandbox;

    @BeforeEach
    void sandbox() throws IOException {
        sandbox = new Sandbox(dir);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void sendWithoutEnterLeavesTheLineOpen() throws IOException {
        sandbox.startDaemon();
        sandbox.ok("spawn", "--name", "line", "--", "sh", "-c", "read line; echo \"got:$line\"; exit 0");
        sandbox.ok("send", "--no-enter", "line", "abc");
        sandbox.ok("send", "--no-enter", "line", "def");
        sandbox.ok("send", "line", "ghi");
        assertEquals(0, sandbox.corral("wait", "line").exit());
        sandbox.awaitTail("line", "got:abcdefghi");
    }

    @Test
    void anEndedPtySessionIsReplacedByName() throws IOException {
        sandbox.startDaemon();
        sandbox.ok("spawn", "--name", "again", "--", "sh", "-c", "echo first-life; exit 1");
        assertEquals(1, sandbox.corral("wait", "again").exit());
        Object firstId = sandbox.show("again").get("id");
        sandbox.ok("spawn", "--name", "again", "--", "sh", "-c", "echo second-life; sleep 300");
        sandbox.awaitTail("again", "second-life");
        Map<String, Object> second = sandbox.show("again");
        assertEquals("running", second.get("state"));
        assertNotEquals(firstId, second.get("id"), "a new session, not the old one revived");
        assertFalse(sandbox.ok("tail", "again").out().contains("first-life"), "the replaced session's output is gone");
    }

    @Test
    void sigintStopsTheDaemonGracefully() throws Exception {
        Process daemon = sandbox.startDaemon();
        ProcessHandle corrald = ProcessHandle.of(sandbox.lockHolderPid()).orElseThrow(() -> new AssertionError("no daemon pid"));
        Run.Result kill = Run.command(Map.of(), LIMIT, List.of("kill", "-s", "INT", Long.toString(corrald.pid())));
        assertEquals(0, kill.exit(), kill.toString());
        assertTrue(daemon.waitFor(LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "corrald did not stop on SIGINT");
        assertEquals(0, daemon.exitValue(), "a graceful stop exits 0: " + sandbox.output(daemon));
        assertFalse(sandbox.socketExists(), "the socket file is removed");
    }

    @Test
    void theUsersOwnTmuxServerIsLeftUntouched() throws IOException {
        // The user's default tmux server lives under TMUX_TMPDIR; corral's is beside its own socket.
        Path userTmp = Files.createDirectories(dir.resolve("user-tmux"));
        Map<String, String> user = Map.of("TMUX_TMPDIR", userTmp.toString());
        Run.Result mine = Run.command(user, LIMIT, List.of("tmux", "new-session", "-d", "-s", "mine", "sleep", "300"));
        assertEquals(0, mine.exit(), mine.toString());
        try {
            sandbox.withEnv("TMUX_TMPDIR", userTmp.toString());
            sandbox.startDaemon();
            sandbox.ok("spawn", "--kind", "tmux", "--name", "theirs", "--", "sleep", "300");
            sandbox.ok("rm", "--force", "theirs");
            sandbox.ok("spawn", "--kind", "tmux", "--name", "kept", "--", "sleep", "300");
            sandbox.ok("daemon", "stop");
            Run.Result sessions = Run.command(user, LIMIT, List.of("tmux", "list-sessions", "-F", "#{session_name}"));
            assertEquals("mine\n", sessions.out(), "the user's server holds only the user's session: " + sessions);
            assertTrue(sandbox.tmux("list-sessions", "-F", "#{session_name}").out().contains("kept"),
                    "corral's sessions live on corral's own server");
        } finally {
            Run.command(user, LIMIT, List.of("tmux", "kill-server"));
        }
    }
}
