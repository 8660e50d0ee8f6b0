package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PTY session that was running when its daemon was killed is lost in the next daemon, and
 * keeps what PROTOCOL.md promises: its pid and its last output.
 */
class LostPtySessionTest {
    @TempDir
    Path dir;

    @Test
    void aPtySessionLostInACrashKeepsItsPidAndLastOutput() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            sandbox.startDaemon();
            sandbox.ok("spawn", "--name", "doomed", "--", "sh", "-c", "echo before-the-crash-$((6*7)); exec sleep 600");
            sandbox.awaitTail("doomed", "before-the-crash-42");
            long pid = ((Number) sandbox.show("doomed").get("pid")).longValue();
            Path kept = sandbox.stateDir().resolve("sessions").resolve("doomed.output");
            Deadline.await(Duration.ofSeconds(10), () -> "the output kept in " + kept, () -> {
                try {
                    return Files.exists(kept) && Files.readString(kept).contains("before-the-crash-42");
                } catch (IOException e) {
                    return false;
                }
            });
            sandbox.crashDaemon();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);

            sandbox.startDaemon();
            Map<String, Object> lost = sandbox.show("doomed");
            assertEquals("lost", lost.get("state"), lost.toString());
            assertEquals(pid, ((Number) lost.get("pid")).longValue(), lost.toString());
            String tail = sandbox.ok("tail", "doomed").out();
            assertTrue(tail.contains("before-the-crash-42"), tail);
            sandbox.ok("rm", "doomed");
            assertTrue(!Files.exists(kept), "the kept output went with the session");
        }
    }
}
