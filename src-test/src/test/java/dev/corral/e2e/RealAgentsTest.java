package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.EventWatcher;
import dev.corral.e2e.support.Repo;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in profiles with the real Claude Code, Codex and Gemini CLIs, at the versions that
 * {@code src-test/agents/install.sh} pins (bin/test installs them), each with a private HOME. No
 * CLI reaches a service here, so the tests assert what they show on screen: the folder-trust
 * dialog answered, a login or authentication question left for a person ({@code stuck}, with the
 * question in {@code stuckOn}), the ready prompt recognised and the startup prompt submitted.
 */
class RealAgentsTest {
    /** The built-ins' start timeout is 60 s; a CLI's first start takes a few seconds. */
    private static final Duration LIMIT = Duration.ofSeconds(90);
    private static final Map<String, String> CLIS = Map.of(
            "claude", "claude-2.1.197", "codex", "codex-0.171.0", "gemini", "gemini-0.61.0");

    @TempDir
    static Path dir;
    static Sandbox sandbox;
    static EventWatcher events;

    @BeforeAll
    static void startDaemon() throws IOException {
        StringBuilder path = new StringBuilder();
        for (Map.Entry<String, String> cli : CLIS.entrySet()) {
            Path bin = Repo.home().resolve(".cache/agent-clis").resolve(cli.getValue()).resolve("node_modules/.bin");
            assertTrue(Files.isExecutable(bin.resolve(cli.getKey())), "the real CLIs are installed by src-test/agents/install.sh"
                    + " (bin/test runs it); missing: " + bin.resolve(cli.getKey()));
            path.append(bin).append(':');
        }
        sandbox = new Sandbox(dir);
        sandbox.withEnv("PATH", path + System.getenv("PATH"));
        // No user config: the built-in profiles as they ship.
        sandbox.withEnv("CORRAL_CONFIG", dir.resolve("no-config.toml").toString());
        sandbox.startDaemon();
        events = EventWatcher.start(sandbox, "--json", "events", "--channel", "agents");
    }

    @AfterAll
    static void stopDaemon() {
        if (events != null) {
            events.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        Run.endProgramsUnder(dir);
    }

    /** A private HOME and an empty working directory; {@code files} are written into the HOME first. */
    private static Path[] fresh(String name, Map<String, String> files) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name + "-home"));
        Path work = Files.createDirectories(dir.resolve(name + "-work"));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = home.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        return new Path[] {home, work};
    }

    private static void spawn(String agent, String name, Path[] homeAndWork, Path prompt, String... env) {
        List<Object> args = new java.util.ArrayList<>(List.of("spawn", "--agent", agent, "--name", name, "--cwd", homeAndWork[1],
                "--env", "HOME=" + homeAndWork[0], "--size", "120x40"));
        for (String variable : env) {
            args.addAll(List.of("--env", variable));
        }
        if (prompt != null) {
            args.addAll(List.of("--prompt-file", prompt));
        }
        sandbox.ok(args.toArray());
    }

    private static String readiness(String name) {
        return String.valueOf(sandbox.show(name).get("readiness"));
    }

    private static void awaitReadiness(String name, String expected) {
        Deadline.await(LIMIT, () -> "readiness " + expected + "; show says " + sandbox.show(name) + "\nscreen:\n"
                + sandbox.corral("tail", name).out() + sandbox.logTail(30), () -> expected.equals(readiness(name)));
    }

    /** Stuck with {@code question} on screen (a slow start may read stuck on an earlier screen first). */
    private static void awaitStuckOn(String name, String question) {
        Deadline.await(LIMIT, () -> "stuck on '" + question + "'; show says " + sandbox.show(name) + "\nscreen:\n"
                + sandbox.corral("tail", name).out() + sandbox.logTail(30), () -> {
                    Map<String, Object> shown = sandbox.show(name);
                    return "stuck".equals(shown.get("readiness")) && String.valueOf(shown.get("stuckOn")).contains(question);
                });
    }

    private static void awaitScreen(String name, String expected) {
        Deadline.await(LIMIT, () -> "'" + expected + "' on the screen of " + name + ":\n" + sandbox.corral("tail", name).out()
                + sandbox.logTail(30), () -> sandbox.corral("tail", name).out().contains(expected));
    }

    private static Path prompt(String text) throws IOException {
        Path file = Files.createTempFile(dir, "prompt", ".md");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void claudeCodeOnboardedButLoggedOutGetsPastTheTrustDialogAndTheStartupPromptIsSubmitted() throws IOException {
        Path[] where = fresh("claude-onboarded", Map.of(".claude.json", "{\"hasCompletedOnboarding\": true}"));
        spawn("claude", "claude-main", where, prompt("Say hello in one word"));
        awaitReadiness("claude-main", "ready");
        // Submitted: the prompt is in the transcript and the (logged-out) CLI answered it.
        awaitScreen("claude-main", "Please run /login");
        String screen = sandbox.ok("tail", "claude-main").out();
        assertTrue(screen.contains("❯ Say hello in one word"), screen);
        assertFalse(screen.contains("Quick safety check"), "the trust dialog was answered:\n" + screen);
        Deadline.await(LIMIT, () -> "needs-input while the empty prompt waits; show says " + sandbox.show("claude-main"),
                () -> "needs-input".equals(sandbox.show("claude-main").get("status")));
        assertTrue(Files.readString(sandbox.log()).contains("session claude-main: answering \"Is this a project you created or one you trust?"),
                sandbox.logTail(30));
        sandbox.ok("rm", "--force", "claude-main");
    }

    @Test
    void claudeCodeWithoutNetworkExitsAndIsReportedExitedWithItsMessage() throws IOException {
        Path[] where = fresh("claude-fresh", Map.of());
        spawn("claude", "claude-fresh", where, null);
        awaitReadiness("claude-fresh", "exited");
        Map<String, Object> shown = sandbox.show("claude-fresh");
        assertEquals("exited", shown.get("state"), shown.toString());
        assertEquals(1, ((Number) shown.get("exitCode")).intValue(), shown.toString());
        assertTrue(String.valueOf(shown.get("stuckOn")).contains("Unable to connect to Anthropic services"), shown.toString());
        Map<String, Object> event = events.await("agent.readiness exited of claude-fresh", e -> "claude-fresh".equals(
                EventWatcher.data(e).get("session")) && "exited".equals(EventWatcher.data(e).get("readiness")));
        assertTrue(String.valueOf(EventWatcher.data(event).get("stuckOn")).contains("Unable to connect"), event.toString());
        sandbox.ok("rm", "--force", "claude-fresh");
    }

    @Test
    void codexInAFreshGitRepositoryGetsPastItsTrustDialogAndTheStartupPromptIsSubmitted() throws IOException {
        // Logged in with an API key (no service checks it until a request goes out), as `codex login --with-api-key` leaves it.
        Path[] where = fresh("codex-repo", Map.of(".codex/auth.json", "{\"auth_mode\": \"apikey\", \"OPENAI_API_KEY\": \"sk-test\"}"));
        Run.Result init = Run.command(Map.of(), Sandbox.COMMAND_DEADLINE, List.of("git", "init", "-q", where[1].toString()));
        assertEquals(0, init.exit(), init.toString());
        spawn("codex", "codex-repo", where, prompt("Say hello in one word"));
        awaitReadiness("codex-repo", "ready");
        awaitScreen("codex-repo", "› Say hello in one word");
        // Submitted: the input box shows its placeholder again, the prompt went into the transcript.
        awaitScreen("codex-repo", "Ask Codex to do anything");
        String screen = sandbox.ok("tail", "codex-repo").out();
        assertFalse(screen.contains("Trust and continue"), "the trust dialog was answered:\n" + screen);
        assertTrue(Files.readString(sandbox.log()).contains("session codex-repo: answering \"Trust this folder?"), sandbox.logTail(30));
        sandbox.ok("rm", "--force", "codex-repo");
    }

    @Test
    void codexLoggedOutLeavesItsSignInQuestionToAPerson() throws IOException {
        Path[] where = fresh("codex-fresh", Map.of());
        spawn("codex", "codex-fresh", where, null);
        awaitStuckOn("codex-fresh", "Sign in with ChatGPT");
        Map<String, Object> shown = sandbox.show("codex-fresh");
        assertTrue(String.valueOf(shown.get("stuckOn")).contains("Sign in with ChatGPT"), shown.toString());
        assertEquals("needs-input", shown.get("status"), shown.toString());
        sandbox.ok("rm", "--force", "codex-fresh");
    }

    /**
     * Gemini with an API key chosen (no service checks it until a request goes out) draws its
     * ready prompt for about a second before it asks whether to trust the folder: the prompt must
     * not be typed into that dialog, and after the answer (Gemini restarts itself) it is submitted.
     */
    @Test
    void geminiWithAnApiKeyGetsPastItsTrustDialogAndTheStartupPromptIsSubmitted() throws IOException {
        Path[] where = fresh("gemini-key", Map.of(".gemini/settings.json", "{\"security\": {\"auth\": {\"selectedType\": \"gemini-api-key\"}}}"));
        spawn("gemini", "gemini-key", where, prompt("Say hello in one word"), "GEMINI_API_KEY=test-key");
        awaitReadiness("gemini-key", "ready");
        // Submitted: on the visible screen the prompt is in the transcript above the input box, which shows its
        // placeholder again; nothing is queued (what is typed while Gemini starts up waits in a queue, and is lost
        // when it restarts to apply the trust).
        Deadline.await(LIMIT, () -> "the prompt submitted on the screen of gemini-key:\n" + sandbox.corral("screen", "gemini-key").out()
                + sandbox.logTail(30), () -> {
                    String visible = sandbox.corral("screen", "gemini-key").out();
                    return visible.contains("> Say hello in one word") && visible.contains("Type your message or @path/to/file")
                            && !visible.contains("Queued") && !visible.contains("Do you trust the files in this folder?");
                });
        assertTrue(Files.readString(sandbox.log()).contains("session gemini-key: answering \"Do you trust the files in this folder?"),
                sandbox.logTail(30));
        assertTrue(Files.readString(where[0].resolve(".gemini/trustedFolders.json")).contains("TRUST_FOLDER"),
                "the first choice, this folder only");
        sandbox.ok("rm", "--force", "gemini-key");
    }

    @Test
    void geminiTrustIsAnsweredAndItsAuthenticationQuestionLeavesTheSessionStuck() throws IOException {
        Path[] where = fresh("gemini", Map.of());
        spawn("gemini", "gemini-auth", where, prompt("never typed: the CLI is not ready"));
        awaitStuckOn("gemini-auth", "How would you like to authenticate for this project?");
        Map<String, Object> shown = sandbox.show("gemini-auth");
        String stuckOn = String.valueOf(shown.get("stuckOn"));
        assertTrue(stuckOn.contains("How would you like to authenticate for this project?"), shown.toString());
        assertTrue(stuckOn.contains("Sign in with Google"), stuckOn);
        assertFalse(stuckOn.contains("never typed"), "nothing is typed into a question:\n" + stuckOn);
        assertEquals("needs-input", shown.get("status"), shown.toString());
        assertTrue(Files.readString(sandbox.log()).contains("session gemini-auth: answering \"Do you trust the files in this folder?"),
                sandbox.logTail(30));
        Map<String, Object> event = events.await("agent.readiness stuck of gemini-auth", e -> "gemini-auth".equals(
                EventWatcher.data(e).get("session")) && "stuck".equals(EventWatcher.data(e).get("readiness"))
                && String.valueOf(EventWatcher.data(e).get("stuckOn")).contains("How would you like to authenticate"));
        assertEquals("gemini", EventWatcher.data(event).get("agent"), event.toString());
        sandbox.ok("rm", "--force", "gemini-auth");
    }
}
