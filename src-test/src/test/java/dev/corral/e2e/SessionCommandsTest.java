package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.ClassDaemon;
import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session commands through bin/corral against one real daemon: what a user types and sees. */
class SessionCommandsTest {
    @TempDir
    static Path dir;
    @ClassDaemon
    static Sandbox sandbox;

    private static Map<String, Object> json(Run.Result result) {
        return result.json();
    }

    @Test
    void spawnShowWaitTail() {
        Path cwd = dir.resolve("work");
        cwd.toFile().mkdirs();
        Run.Result spawn = sandbox.ok("spawn", "--name", "basic", "--cwd", cwd, "--env", "GREETING=hi there", "--size", "100x30",
                "--", "sh", "-c", "echo \"$GREETING $CORRAL_SESSION $TERM $(pwd)\"; stty size; read line; echo got:$line; exit 3");
        assertEquals("basic\n", spawn.out());

        Map<String, Object> shown = json(sandbox.ok("--json", "show", "basic"));
        assertEquals("basic", shown.get("name"));
        assertEquals("pty", shown.get("kind"));
        assertEquals("running", shown.get("state"));
        assertEquals(cwd.toString(), shown.get("cwd"));
        assertEquals(List.of("sh", "-c", "echo \"$GREETING $CORRAL_SESSION $TERM $(pwd)\"; stty size; read line; echo got:$line; exit 3"),
                shown.get("command"));
        for (String field : List.of("id", "pid", "exitCode", "workspace", "agent", "createdAt", "endedAt", "attached", "readiness", "status")) {
            assertTrue(shown.containsKey(field), "session object lacks " + field);
        }

        Deadline.await(Duration.ofSeconds(20), () -> "the greeting in tail",
                () -> sandbox.corral("tail", "basic").out().contains("hi there basic xterm-256color " + cwd));
        Deadline.await(Duration.ofSeconds(20), () -> "stty size to show the requested 100x30",
                () -> sandbox.corral("tail", "basic").out().contains("30 100"));
        sandbox.ok("send", "basic", "forty", "two");

        Run.Result wait = sandbox.corral("wait", "basic");
        assertEquals(3, wait.exit(), wait.toString());
        assertTrue(sandbox.ok("tail", "basic").out().contains("got:forty two"));
        Map<String, Object> ended = json(sandbox.ok("--json", "show", "basic"));
        assertEquals("exited", ended.get("state"));
        assertEquals(3L, ended.get("exitCode"));
        assertNotNull(ended.get("endedAt"));

        Run.Result again = sandbox.corral("wait", "basic");
        assertEquals(3, again.exit(), "wait on an exited session answers at once with its status");
        assertEquals("\r\n", sandbox.ok("tail", "basic", "--bytes", "2").out(), "--bytes keeps the newest bytes");
    }

    @Test
    void waitTimesOutWith124AndKillSignalsTheProgram() {
        sandbox.ok("spawn", "--name", "sleeper", "--", "sleep", "300");
        Run.Result timedOut = sandbox.corral("wait", "sleeper", "--timeout", "1");
        assertEquals(124, timedOut.exit(), timedOut.toString());

        sandbox.ok("kill", "sleeper", "--signal", "INT");
        Run.Result wait = sandbox.corral("wait", "sleeper");
        assertEquals(130, wait.exit(), "a program ended by SIGINT reports 128+2, as a shell would");

        Run.Result again = sandbox.corral("kill", "sleeper");
        assertEquals(4, again.exit(), again.toString());
        assertTrue(again.err().contains("already exited"), again.toString());

        Run.Result badSignal = sandbox.corral("kill", "sleeper", "--signal", "NOPE");
        assertEquals(1, badSignal.exit(), badSignal.toString());
    }

    @Test
    void namesAreUniqueAndMissingSessionsAreExitThree() {
        sandbox.ok("spawn", "--name", "dup", "--", "sleep", "300");
        Run.Result taken = sandbox.corral("spawn", "--name", "dup", "--", "true");
        assertEquals(4, taken.exit(), taken.toString());
        assertTrue(taken.err().contains("already up"), taken.toString());

        Run.Result generated = sandbox.ok("spawn", "--", "true");
        assertTrue(generated.out().trim().startsWith("true-"), generated.toString());

        Run.Result missing = sandbox.corral("show", "nosuch");
        assertEquals(3, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("NO_SUCH_SESSION"), missing.toString());

        Run.Result running = sandbox.corral("rm", "dup");
        assertEquals(4, running.exit(), "rm refuses a running session without --force");
        sandbox.ok("rm", "--force", "dup");
        assertEquals(3, sandbox.corral("show", "dup").exit());
    }

    @Test
    void theCapOnLiveSessionsRefusesWithExitFour(@TempDir Path own) {
        // A daemon of its own: the cap counts every live session, so no other test may hold one.
        try (Sandbox capped = new Sandbox(own)) {
            capped.startDaemon("--max-sessions", "3");
            for (String name : List.of("cap1", "cap2", "cap3")) {
                capped.ok("spawn", "--name", name, "--", "sleep", "300");
            }
            Run.Result refused = capped.corral("spawn", "--name", "cap4", "--", "sleep", "300");
            assertEquals(4, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("session cap reached"), refused.toString());
            assertEquals(3, capped.corral("show", "cap4").exit(), "the refused session was not started");
            capped.ok("rm", "--force", "cap1");
            capped.ok("spawn", "--name", "cap5", "--", "sleep", "300");
            assertEquals("running", capped.show("cap5").get("state"), "a freed slot can be used again");
        } catch (IOException e) {
            throw new AssertionError("could not start the capped daemon", e);
        }
    }

    @Test
    void exitedSessionsAreReapedAfterTheGracePeriod(@TempDir Path own) throws IOException {
        // A daemon of its own with a short grace, so the other tests' exited sessions stay put.
        try (Sandbox brief = new Sandbox(own)) {
            brief.startDaemon("--exit-grace-seconds", "2");
            assertEquals(0, brief.corral("spawn", "--name", "brief", "--", "true").exit());
            Run.Result wait = brief.corral("wait", "brief");
            assertEquals(0, wait.exit(), "the exited session answers wait until it is reaped: " + wait);
            Deadline.await(Duration.ofSeconds(30), () -> "the reaper to remove 'brief'",
                    () -> brief.corral("show", "brief").exit() == 3);
            Deadline.await(Duration.ofSeconds(30), () -> "the reaper's log line", () -> {
                try {
                    return Files.readString(brief.log()).contains("session brief reaped");
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> liveNames() {
        try {
            List<Map<String, Object>> sessions = (List<Map<String, Object>>) Json.read(sandbox.ok("--json", "ls").out().getBytes());
            return sessions.stream().map(s -> s.get("name")).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int liveCount() {
        return liveNames().size();
    }
}
