package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Repo;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attach redraws the session's screen from the daemon's model and detach leaves the terminal
 * clean. The user's terminal is a pane of a private tmux server (it answers queries as a real
 * terminal does, and its formats say which modes are on); {@code bin/corral attach} runs in it.
 */
@Timeout(300)
class ScreenAttachTest {
    private static final Duration LIMIT = Deadline.LIMIT;
    /** Prints a header, keeps it on a full-screen program's alternate screen, then writes over 1 MiB below it. */
    private static final String BUSY = "printf '\\033[?1049h\\033[?2004h\\033[H\\033[2JHEADER OF THE PROGRAM\\033[2;24r\\033[24;1H';"
            + " i=0; while [ $i -lt 16000 ]; do echo \"output line $i ........................................................\";"
            + " i=$((i+1)); done; echo ALL-WRITTEN; exec cat -v";

    @TempDir
    static Path dir;
    static Sandbox sandbox;
    private static int outers;

    @BeforeAll
    static void startDaemon() throws IOException {
        sandbox = new Sandbox(dir);
        sandbox.startDaemon();
    }

    @AfterAll
    static void stopDaemon() {
        sandbox.close();
    }

    /** A user's terminal: an 80x24 pane of its own tmux server, running {@code corral attach ARGS}. */
    private static final class Outer implements AutoCloseable {
        final Path socket = dir.resolve("outer-" + ++outers + ".sock");

        Outer(String attachArgs) throws IOException {
            Path config = dir.resolve("outer.conf");
            Files.writeString(config, "set -g status off\nset -g default-terminal tmux-256color\n");
            List<String> argv = new ArrayList<>(List.of("-f", config.toString(), "new-session", "-d", "-x", "80", "-y", "24"));
            for (Map.Entry<String, String> e : sandbox.env().entrySet()) {
                argv.add("-e");
                argv.add(e.getKey() + "=" + e.getValue());
            }
            argv.add("'" + Repo.corral() + "' attach " + attachArgs + "; echo ATTACH-ENDED; exec sleep 1000");
            Run.Result started = tmux(argv.toArray(String[]::new));
            assertEquals(0, started.exit(), "outer tmux: " + started);
        }

        Run.Result tmux(String... args) {
            List<String> argv = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
            argv.addAll(List.of(args));
            return Run.command(Map.of(), Sandbox.COMMAND_DEADLINE, argv);
        }

        String screen() {
            return tmux("capture-pane", "-p", "-t", "0").out();
        }

        String format(String format) {
            return tmux("display-message", "-p", "-t", "0", format).out().trim();
        }

        void await(String expected) {
            Deadline.await(LIMIT, () -> "'" + expected + "' on the outer terminal; it shows:\n" + screen() + "\n"
                    + sandbox.logTail(30), () -> screen().contains(expected));
        }

        void keys(String... keys) {
            List<String> argv = new ArrayList<>(List.of("send-keys", "-t", "0"));
            argv.addAll(List.of(keys));
            tmux(argv.toArray(String[]::new));
        }

        void detach() {
            keys("C-\\");
            await("ATTACH-ENDED");
        }

        @Override
        public void close() {
            tmux("kill-server");
        }
    }

    private static String screenOf(String name) {
        return sandbox.ok("screen", name).out();
    }

    private static void awaitScreen(String name, String expected) {
        Deadline.await(LIMIT, () -> "'" + expected + "' on the screen of " + name + ":\n" + screenOf(name),
                () -> screenOf(name).contains(expected));
    }

    /** After detach the user's terminal is in its normal screen, cursor shown, no keypad, mouse or paste mode. */
    private static void assertClean(Outer outer, String name) {
        assertEquals("alt=0 cursor=1 keys=0,0 mouse=0", outer.format(
                "alt=#{alternate_on} cursor=#{cursor_flag} keys=#{keypad_cursor_flag},#{keypad_flag} mouse=#{mouse_any_flag}"),
                "modes left on in the outer terminal after detach");
        String screen = outer.screen();
        assertTrue(screen.contains("[detached from " + name + "]\nATTACH-ENDED"),
                "the detach line stands on its own line:\n" + screen);
    }

    @Test
    void reattachAfterVimShowsVimAndTypesNothing() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "first line\nsecond line\n");
        sandbox.ok("spawn", "--name", "vim", "--", "vim", "--clean", "-N", file.toString());
        try (Outer first = new Outer("vim")) {
            first.await("second line");
            first.keys("O", "typed in vim", "Escape");
            first.await("typed in vim");
            first.detach();
            assertClean(first, "vim");
        }
        awaitScreen("vim", "typed in vim");
        String before = screenOf("vim");
        try (Outer second = new Outer("vim")) {
            second.await("typed in vim");
            assertTrue(second.screen().contains("second line"), second.screen());
            // A replayed query would be answered by now (its answer typed into vim before this probe).
            second.keys(":echo 'probe'", "Enter");
            second.await("probe");
            second.detach();
            assertClean(second, "vim");
        }
        String after = screenOf("vim");
        assertEquals(before.lines().limit(5).toList(), after.lines().limit(5).toList(),
                "re-attaching typed something into vim");
        sandbox.ok("kill", "vim");
    }

    @Test
    void aFullScreenProgramsHeaderSurvivesAMebibyteAndPasteStaysBracketed() throws IOException {
        sandbox.ok("spawn", "--name", "busy", "--", "sh", "-c", BUSY);
        awaitScreen("busy", "ALL-WRITTEN");
        for (String args : List.of("busy", "--no-replay busy")) {
            try (Outer outer = new Outer(args)) {
                if (!args.startsWith("--no-replay")) {
                    outer.await("ALL-WRITTEN");
                    List<String> rows = outer.screen().lines().toList();
                    assertEquals("HEADER OF THE PROGRAM", rows.get(0), "the header after 1 MiB:\n" + outer.screen());
                } else {
                    // Without the picture the modes still come: the alternate screen, and with it the paste mode.
                    Deadline.await(LIMIT, () -> "the attach to put the outer terminal in the alternate screen",
                            () -> outer.format("#{alternate_on}").equals("1"));
                }
                // The outer terminal brackets a paste only if the redraw turned 2004 on in it.
                String word = args.startsWith("--no-replay") ? "pasted-without-replay" : "pasted-after-redraw";
                Deadline.await(LIMIT, () -> "bracketed paste reaching the program", () -> {
                    outer.tmux("set-buffer", word);
                    outer.tmux("paste-buffer", "-p", "-t", "0");
                    outer.keys("Enter");
                    return screenOf("busy").contains("^[[200~" + word);
                });
                outer.detach();
                assertClean(outer, "busy");
            }
        }
        sandbox.ok("kill", "busy");
    }

    @Test
    void aTmuxSessionGetsTheSameRedraw() throws IOException {
        sandbox.ok("spawn", "--kind", "tmux", "--name", "tm", "--", "sh", "-c",
                "printf '\\033[?1049h\\033[H\\033[2JTMUX HEADER\\033[2;24r\\033[24;1H'; i=0; while [ $i -lt 3000 ]; do"
                        + " echo \"tmux line $i\"; i=$((i+1)); done; echo TMUX-DONE; exec sleep 1000");
        awaitScreen("tm", "TMUX-DONE");
        String model = screenOf("tm");
        assertTrue(model.startsWith("TMUX HEADER"), model);
        try (Outer outer = new Outer("tm")) {
            outer.await("TMUX-DONE");
            assertEquals(model.lines().toList(), outer.screen().lines().toList().subList(0, (int) model.lines().count()),
                    "the outer terminal shows the model's screen");
            outer.detach();
            assertClean(outer, "tm");
        }
        sandbox.ok("kill", "tm");
    }

    @Test
    void screenCommandPrintsTextAnsiAndJson() throws IOException {
        sandbox.ok("spawn", "--name", "colours", "--", "sh", "-c",
                "printf '\\033]2;the title\\007\\033[31mred\\033[0m \\033[38;2;1;2;3mrgb\\033[0m\\n'; exec sleep 1000");
        awaitScreen("colours", "red rgb");
        assertTrue(sandbox.ok("screen", "--ansi", "colours").out().contains("\033[0;31mred"),
                sandbox.ok("screen", "--ansi", "colours").out());
        String json = sandbox.ok("--json", "screen", "colours").out();
        assertTrue(json.contains("\"title\":\"the title\"") && json.contains("\"cursor\":{\"x\":0,\"y\":1"), json);
        assertFalse(json.contains("\"ansi\":[") , json);
        sandbox.ok("kill", "colours");
    }
}
