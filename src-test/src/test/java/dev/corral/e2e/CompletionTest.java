package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Repo;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shell completion as bash runs it: the script {@code corral completion bash} prints is sourced
 * into a real bash, and its completion function is called with the words a user typed; the
 * candidates come out of bash's {@code compgen} inside it.
 */
class CompletionTest {
    @TempDir
    Path dir;

    /** What bash offers after {@code words} (the last one being completed), one candidate a line. */
    private static List<String> complete(Sandbox sandbox, String... words) throws IOException {
        Path script = sandbox.dir().resolve("completion.bash");
        Files.writeString(script, sandbox.ok("completion", "bash").out());
        StringBuilder array = new StringBuilder();
        for (String word : words) {
            array.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        String program = "source " + script + "\n"
                + "COMP_WORDS=(" + Repo.corral() + array + ")\n"
                + "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
                + "COMPREPLY=(); _complete_corral; printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Run.Result result = Run.command(sandbox.env(), Duration.ofSeconds(30), Run.argv("bash", "-c", program));
        assertEquals(0, result.exit(), result.toString());
        return result.out().lines().filter(line -> !line.isBlank()).toList();
    }

    @Test
    void bashCompletesSubcommandsFlagsAndLiveSessionAndProfileNames() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            sandbox.ok("spawn", "--name", "nightly-build", "--", "sleep", "60");

            List<String> top = complete(sandbox, "");
            assertTrue(top.containsAll(List.of("spawn", "attach", "ls", "wait", "daemon", "completion")), top.toString());
            assertEquals(List.of("spawn"), complete(sandbox, "spa"));
            assertTrue(complete(sandbox, "daemon", "").containsAll(List.of("install", "uninstall", "start", "stop")));
            assertTrue(complete(sandbox, "spawn", "--wo").contains("--workspace"));
            assertEquals(List.of("pty", "tmux", "container"), complete(sandbox, "spawn", "--kind", ""));
            assertEquals(List.of("bash", "zsh", "fish"), complete(sandbox, "completion", ""));

            assertEquals(List.of("nightly-build"), complete(sandbox, "attach", "nig"));
            assertTrue(complete(sandbox, "wait", "").contains("nightly-build"));
            assertTrue(complete(sandbox, "spawn", "--agent", "").containsAll(List.of("claude", "codex", "generic")));
        }
    }

    @Test
    void namesAreSilentAndStartNoDaemonWhenNoneAnswers() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Run.Result names = sandbox.corral("completion", "--names", "sessions");
            assertEquals(0, names.exit(), names.toString());
            assertEquals("", names.out() + names.err(), names.toString());
            assertFalse(sandbox.socketExists(), "asking for names started a daemon");
            assertTrue(complete(sandbox, "attach", "").isEmpty());
            assertFalse(sandbox.socketExists(), "completing started a daemon");
        }
    }

    @Test
    void zshAndFishScriptsComeFromTheSameModel() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            assertTrue(sandbox.ok("completion", "zsh").out().contains("bashcompinit"));
            String fish = sandbox.ok("completion", "fish").out();
            assertTrue(fish.contains("complete -c corral -n '__fish_use_subcommand' -a spawn"), fish);
            assertTrue(fish.contains("(__corral_live_names sessions)"), fish);
            Run.Result unknown = sandbox.corral("completion", "tcsh");
            assertEquals(2, unknown.exit(), unknown.toString());
        }
    }
}
