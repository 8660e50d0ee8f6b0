package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent profiles with a scripted fake agent: it shows a trust dialog, waits for the answer, then
 * shows a ready prompt and echoes what it is told, as a real coding agent's first run does.
 */
class AgentTest {
    private static final Duration LIMIT = Deadline.LIMIT;

    /** Prints a trust dialog drawn with escape sequences, then a ready prompt once answered "1". */
    private static final String FAKE_AGENT = """
            #!/bin/sh
            printf '\\033[1mDo you trust the files\\033[0m in this \\033[2Cfolder?\\r\\n  1. Yes, proceed\\r\\n'
            read answer
            while [ "$answer" != "1" ]; do printf 'Do you trust the files in this folder?\\r\\n'; read answer; done
            echo "agent=$CORRAL_AGENT session=$CORRAL_SESSION args=$*"
            echo "prompt-bytes=$(wc -c < "$CORRAL_PROMPT_FILE")"
            echo "mcp=${CORRAL_MCP_CONFIG:-none}"
            printf 'READY> '
            while read line; do echo "heard: $line"; printf 'READY> '; done
            """;

    @TempDir
    static Path dir;
    static Sandbox sandbox;
    static Path config;
    static Path agent;

    @BeforeAll
    static void startDaemon() throws IOException {
        agent = dir.resolve("fake-agent");
        Files.writeString(agent, FAKE_AGENT);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        config = dir.resolve("config.toml");
        writeConfig("");
        sandbox = new Sandbox(dir);
        sandbox.withEnv("CORRAL_CONFIG", config.toString());
        sandbox.startDaemon();
    }

    /** Each test starts from the fake's profiles alone, whatever the one before left in the file. */
    @BeforeEach
    void resetConfig() throws IOException {
        writeConfig("");
    }

    @AfterAll
    static void stopDaemon() {
        sandbox.close();
    }

    /** The fake's profiles, plus {@code extra} TOML. The daemon reads the file at each use. */
    private static void writeConfig(String extra) throws IOException {
        Files.writeString(config, """
                [profile.fake]
                command = ["%1$s", "--from-profile"]
                requires = ["%1$s"]
                ready_when = "READY>\\\\s*$"
                post_spawn = "hello after ready"
                responders = [ { when = "Do you trust the files\\\\s+in this\\\\s+folder", send = "1\\r", within = "20s" } ]

                [profile.fake.mcp.servers.tracker]
                command = "tracker-mcp"
                args = ["--stdio"]

                [profile.stubborn]
                command = ["%1$s"]
                ready_when = "READY>\\\\s*$"
                responders = [ { when = "Do you trust the files\\\\s+in this\\\\s+folder", send = "no\\r", within = "1s" } ]
                """.formatted(agent) + extra);
    }

    @Test
    void theDialogIsClearedThenReadyThenPostSpawnIsTyped() throws IOException {
        Path prompt = dir.resolve("big-prompt.md");
        String line = "You are a careful agent. Keep every change small and tested.\n";
        Files.writeString(prompt, line.repeat((1024 * 1024) / line.length() + 1));
        long promptBytes = Files.size(prompt);

        assertEquals("helper\n", sandbox.ok("spawn", "--agent", "fake", "--name", "helper", "--prompt-file", prompt, "--", "--extra").out());
        sandbox.awaitTail("helper", "heard: hello after ready");
        Map<String, Object> shown = sandbox.show("helper");
        assertEquals("fake", shown.get("agent"));
        assertEquals("ready", shown.get("readiness"));

        String tail = sandbox.ok("tail", "helper").out();
        assertTrue(tail.contains("agent=fake session=helper args=--from-profile --extra"), tail);
        assertTrue(tail.contains("prompt-bytes=" + promptBytes), "the whole 1 MiB prompt reached the agent's file:\n" + tail);
        assertFalse(tail.contains("mcp=none"), tail);
        String mcpPath = tail.substring(tail.indexOf("mcp=") + 4).lines().findFirst().orElseThrow().strip();
        @SuppressWarnings("unchecked")
        Map<String, Object> mcp = (Map<String, Object>) Json.read(Files.readAllBytes(Path.of(mcpPath)));
        assertEquals(Map.of("tracker", Map.of("command", "tracker-mcp", "args", List.of("--stdio"))), mcp.get("mcpServers"));

        sandbox.ok("send", "helper", "more work");
        sandbox.awaitTail("helper", "heard: more work");
        Run.Result twice = sandbox.corral("spawn", "--agent", "fake", "--name", "helper");
        assertEquals(4, twice.exit(), "spawn is idempotent: " + twice);
        sandbox.ok("rm", "--force", "helper");
        assertFalse(Files.exists(Path.of(mcpPath)), "removing the session removes its rendered files");
    }

    @Test
    void aDialogThatDoesNotClearIsReportedStuckWithTheScreen() {
        sandbox.ok("spawn", "--agent", "stubborn", "--name", "stuck-one");
        Deadline.await(LIMIT, () -> "readiness stuck; show says " + sandbox.show("stuck-one"), () -> "stuck".equals(sandbox.show("stuck-one").get("readiness")));
        Map<String, Object> shown = sandbox.show("stuck-one");
        assertEquals("needs-input", shown.get("status"));
        assertTrue(String.valueOf(shown.get("stuckOn")).contains("Do you trust the files in this folder?"), shown.toString());
        sandbox.ok("rm", "--force", "stuck-one");
    }

    @Test
    void aMissingBinaryIsNamedAndNothingStarts() throws IOException {
        writeConfig("""

                [profile.absent]
                command = ["no-such-agent-binary"]
                requires = ["no-such-agent-binary"]
                """);
        Run.Result spawn = sandbox.corral("spawn", "--agent", "absent", "--name", "never");
        assertEquals(1, spawn.exit(), spawn.toString());
        assertTrue(spawn.err().contains("needs 'no-such-agent-binary', which is not installed"), spawn.err());
        assertTrue(spawn.err().contains("MISSING_DEPENDENCY"), spawn.err());
        assertEquals(3, sandbox.corral("show", "never").exit(), "nothing was started");
    }

    @Test
    void aBrokenConfigIsNamedWithFileLineAndKey() throws IOException {
        writeConfig("""

                [profile.typo]
                command = ["/bin/true"]
                ready_wen = "x"
                """);
        try {
            Run.Result spawn = sandbox.corral("spawn", "--agent", "fake", "--name", "blocked");
            assertEquals(1, spawn.exit(), spawn.toString());
            int line = Files.readAllLines(config).indexOf("ready_wen = \"x\"") + 1;
            assertTrue(spawn.err().contains(config + ":" + line + ": unknown key 'ready_wen' in [profile.typo]"), spawn.err());
            assertTrue(spawn.err().contains("BAD_CONFIG"), spawn.err());
            Run.Result list = sandbox.corral("profile", "ls");
            assertEquals(1, list.exit(), list.toString());
        } finally {
            writeConfig("");
        }
        Files.writeString(config, "[profile.fake\ncommand = [\"x\"]\n");
        try {
            Run.Result syntax = sandbox.corral("profile", "show", "fake");
            assertEquals(1, syntax.exit(), syntax.toString());
            assertTrue(syntax.err().contains(config + ":1: not valid TOML"), syntax.err());
        } finally {
            writeConfig("");
        }
    }

    @Test
    void profilesAreListedAndShown() {
        String list = sandbox.ok("profile", "ls").out();
        for (String name : List.of("claude", "codex", "gemini", "generic", "fake", "stubborn")) {
            assertTrue(list.contains(name), list);
        }
        String shown = sandbox.ok("--json", "profile", "show", "fake").out();
        assertTrue(shown.contains("\"readyWhen\":\"READY>\\\\s*$\""), shown);
        assertTrue(shown.contains("\"postSpawn\":\"hello after ready\""), shown);
    }

    @Test
    void aSymlinkPlantedInTheStateDirectoryIsRefused() throws IOException {
        Path agents = sandbox.stateDir().resolve("agents");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path moved = dir.resolve("agents-moved");
        boolean existed = Files.exists(agents);
        if (existed) {
            Files.move(agents, moved);
        }
        Files.createSymbolicLink(agents, elsewhere);
        try {
            Run.Result spawn = sandbox.corral("spawn", "--agent", "fake", "--name", "planted");
            assertEquals(1, spawn.exit(), spawn.toString());
            assertTrue(spawn.err().contains("is a symbolic link"), spawn.err());
            try (var inside = Files.list(elsewhere)) {
                assertEquals(0, inside.count(), "nothing was written through the link");
            }
        } finally {
            Files.delete(agents);
            if (existed) {
                Files.move(moved, agents);
            }
        }
    }
}
