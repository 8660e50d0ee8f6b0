package dev.corral.e2e;

import static dev.corral.e2e.support.EventWatcher.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.EventWatcher;
import dev.corral.e2e.support.RawPeer;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a profile hands its agent the prompt and the MCP config (prompt = "arg", "flag:NAME",
 * "type"; mcp_flag), a user's profile that replaces a built-in one, and the events a user's
 * tools see for an agent waiting for a person, a workspace's lease, and a tmux session adopted by
 * a new daemon. The agent is a script that prints what it was given, as a user would check it.
 */
@Timeout(300)
class AgentProfileModesTest {
    private static final Duration LIMIT = Deadline.LIMIT;

    /** Prints its arguments and, for each that is a file, the file's first line; then echoes what it is told. */
    private static final String ECHO_AGENT = """
            #!/bin/sh
            echo "args: $*"
            for arg in "$@"; do
                if [ -f "$arg" ]; then echo "file $arg: $(head -c 200 "$arg" | head -n 1)"; fi
            done
            printf 'READY> '
            while read line; do echo "heard: $line"; printf 'READY> '; done
            """;

    /** Asks a question, then clears its screen for the answer, as a full-screen agent redraws. */
    private static final String ASKING_AGENT = """
            #!/bin/sh
            printf 'Continue? (y/n) '
            read answer
            printf '\\033[2J\\033[Hanswer=%s\\r\\nREADY> ' "$answer"
            read more
            """;

    @TempDir
    static Path dir;
    static Sandbox sandbox;
    static Path agent;
    static Path prompt;
    static Path asker;

    @BeforeAll
    static void startDaemon() throws IOException {
        agent = dir.resolve("echo-agent");
        Files.writeString(agent, ECHO_AGENT);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        asker = dir.resolve("asking-agent");
        Files.writeString(asker, ASKING_AGENT);
        Files.setPosixFilePermissions(asker, PosixFilePermissions.fromString("rwxr-xr-x"));
        prompt = Files.writeString(dir.resolve("prompt.md"), "Fix the flaky test in module billing.\n");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                [profile.by-arg]
                command = ["%1$s"]
                prompt = "arg"

                [profile.by-flag]
                command = ["%1$s", "--model", "small"]
                prompt = "flag:--prompt-file"
                mcp_flag = "--mcp"

                [profile.by-flag.mcp.servers.tracker]
                command = "tracker-mcp"
                args = ["--stdio"]

                [profile.by-typing]
                command = ["%1$s"]
                prompt = "type"
                ready_when = "READY>\\\\s*$"

                [profile.generic]
                command = ["%1$s", "--mine"]
                kind = "pty"
                prompt = "env"

                [profile.asks]
                command = ["%2$s"]
                ready_when = "READY>\\\\s*$"
                not_when = "Continue\\\\? \\\\(y/n\\\\)"
                """.formatted(agent, asker));
        sandbox = new Sandbox(dir);
        sandbox.withEnv("CORRAL_CONFIG", config.toString());
        sandbox.startDaemon();
    }

    @AfterAll
    static void stopDaemon() {
        sandbox.close();
    }

    @Test
    void promptAsAnArgumentIsTheRenderedFileItself() {
        sandbox.ok("spawn", "--agent", "by-arg", "--name", "arg-one", "--prompt-file", prompt);
        sandbox.awaitTail("arg-one", "READY>");
        String tail = sandbox.ok("tail", "arg-one").out();
        String file = argAfter(tail, "args: ");
        assertTrue(tail.contains("file " + file + ": Fix the flaky test in module billing."), tail);
        sandbox.ok("rm", "--force", "arg-one");
    }

    @Test
    void promptAfterAFlagAndTheMcpConfigAfterItsFlag() throws IOException {
        sandbox.ok("spawn", "--agent", "by-flag", "--name", "flag-one", "--prompt-file", prompt, "--", "--verbose");
        sandbox.awaitTail("flag-one", "READY>");
        String tail = sandbox.ok("tail", "flag-one").out();
        String args = tail.lines().filter(l -> l.startsWith("args: ")).findFirst().orElseThrow();
        assertTrue(args.matches("args: --model small --prompt-file \\S+/prompt\\.md --mcp \\S+/mcp\\.json --verbose"), args);
        String mcpPath = args.replaceAll(".* --mcp (\\S+) .*", "$1");
        @SuppressWarnings("unchecked")
        Map<String, Object> mcp = (Map<String, Object>) Json.read(Files.readAllBytes(Path.of(mcpPath)));
        assertEquals(Map.of("tracker", Map.of("command", "tracker-mcp", "args", List.of("--stdio"))), mcp.get("mcpServers"));
        String promptPath = args.replaceAll(".* --prompt-file (\\S+) .*", "$1");
        assertTrue(tail.contains("file " + promptPath + ": Fix the flaky test in module billing."), tail);
        sandbox.ok("rm", "--force", "flag-one");
    }

    @Test
    void aTypedPromptArrivesOnceTheAgentIsReady() {
        sandbox.ok("spawn", "--agent", "by-typing", "--name", "typed-one", "--prompt-file", prompt);
        sandbox.awaitTail("typed-one", "heard: Fix the flaky test in module billing.");
        String tail = sandbox.ok("tail", "typed-one").out();
        assertEquals(1, tail.split("heard: Fix the flaky test", -1).length - 1, "typed exactly once:\n" + tail);
        sandbox.ok("rm", "--force", "typed-one");
    }

    @Test
    void aUsersProfileReplacesTheBuiltInOneOfTheSameName() {
        String shown = sandbox.ok("--json", "profile", "show", "generic").out();
        assertTrue(shown.contains(agent.toString()) && shown.contains("--mine"), shown);
        assertTrue(!shown.contains("\"/bin/sh\""), "the built-in generic profile is replaced, not merged: " + shown);
        sandbox.ok("spawn", "--agent", "generic", "--name", "mine");
        sandbox.awaitTail("mine", "args: --mine");
        sandbox.ok("rm", "--force", "mine");
    }

    @Test
    void anAgentWaitingForAPersonIsAnEventAndSoIsItsAnswer() throws IOException {
        try (EventWatcher agents = EventWatcher.start(sandbox, "--json", "events", "--channel", "agents")) {
            awaitSubscribed(1);
            sandbox.ok("spawn", "--agent", "asks", "--name", "asker");
            agents.await("asker needs input", e -> "agent.status".equals(e.get("type")) && "asker".equals(data(e).get("session"))
                    && "needs-input".equals(data(e).get("status")));
            Map<String, Object> stuck = agents.await("asker stuck on its question", e -> "agent.readiness".equals(e.get("type"))
                    && "asker".equals(data(e).get("session")) && "stuck".equals(data(e).get("readiness")));
            assertEquals("Continue? (y/n)", data(stuck).get("stuckOn"), stuck.toString());
            assertEquals("needs-input", sandbox.show("asker").get("status"));
            sandbox.ok("send", "asker", "y");
            sandbox.awaitTail("asker", "answer=y");
            // The question is gone from the screen: ready, and waiting at its prompt (still needs-input: a person types next).
            agents.await("asker ready", e -> "agent.readiness".equals(e.get("type")) && "asker".equals(data(e).get("session"))
                    && "ready".equals(data(e).get("readiness")));
        }
        sandbox.ok("rm", "--force", "asker");
    }

    @Test
    void aWorkspaceLeaseIsAcquiredAndReleasedAsEvents() throws IOException {
        Path ws = Files.createDirectories(dir.resolve("leased")).toRealPath();
        try (EventWatcher leases = EventWatcher.start(sandbox, "--json", "events", "--channel", "leases")) {
            awaitSubscribed(1);
            sandbox.ok("spawn", "--name", "holder", "--workspace", ws, "--", "sh", "-c", "read line");
            Map<String, Object> acquired = leases.await("lease.acquired", e -> "lease.acquired".equals(e.get("type")));
            assertEquals("holder", data(acquired).get("session"), acquired.toString());
            assertTrue(String.valueOf(data(acquired)).contains(ws.toString()), acquired.toString());
            sandbox.ok("send", "holder", "done");
            Map<String, Object> released = leases.await("lease.released", e -> "lease.released".equals(e.get("type")));
            assertEquals("holder", data(released).get("session"), released.toString());
            assertEquals(List.of("lease.acquired", "lease.released"), leases.events().stream().map(e -> e.get("type")).toList());
        }
        sandbox.ok("rm", "holder");
    }

    @Test
    void aTmuxSessionFoundByANewDaemonIsAnnouncedAsAdopted() throws IOException {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "kept", "--", "sh", "-c", "echo kept-alive; read line");
        sandbox.awaitTail("kept", "kept-alive");
        long since = ((Number) eventStatus().get("lastId")).longValue();
        sandbox.crashDaemon();
        sandbox.startDaemon();
        try (EventWatcher sessions = EventWatcher.start(sandbox, "--json", "events", "--channel", "sessions", "--since", since)) {
            Map<String, Object> adopted = sessions.await("session.adopted", "kept");
            assertEquals("tmux", data(adopted).get("kind"), adopted.toString());
            assertTrue(sessions.events().stream().noneMatch(e -> "session.lost".equals(e.get("type"))
                    && "kept".equals(data(e).get("session"))), "an adopted session is not lost: " + sessions.lines());
        }
        assertEquals("running", sandbox.show("kept").get("state"));
        sandbox.ok("rm", "--force", "kept");
    }

    private static void awaitSubscribed(int count) {
        Deadline.await(LIMIT, () -> count + " subscribers; the daemon reports " + eventStatus(),
                () -> ((Number) eventStatus().get("subscribers")).intValue() >= count);
    }

    private static Map<String, Object> eventStatus() {
        return sandbox.eventStatus();
    }

    private static String argAfter(String tail, String prefix) {
        String line = tail.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "':\n" + tail));
        String[] words = line.substring(prefix.length()).trim().split(" ");
        return words[words.length - 1];
    }
}
