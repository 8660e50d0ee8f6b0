package dev.corral.daemon.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.daemon.session.SessionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the watcher reads screens: given screen texts and times, with a recording stand-in for the
 * session whose screen echoes what is typed. Timers never fire here (the times are given).
 */
class OutputWatcherTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<String> typed = new ArrayList<>();
    private final List<String> readiness = new ArrayList<>();
    private final List<Boolean> wanted = new ArrayList<>();
    private String stuckOn;
    private String screen = "";

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private static final String TRUST = """
            Quick safety check: Is this a project you created or one you trust?

            ❯ 1. Yes, I trust this folder
              2. No, exit

            Enter to confirm · Esc to cancel""";
    private static final String MAIN = """
            ╭─── Claude Code ───╮
            ╰───────────────────╯
            ────────────
            ❯
            ────────────
              ? for shortcuts""";

    private Profile profile(String postSpawn) {
        return new Profile("t", List.of("t"), List.of(), Map.of(), SessionSpec.Kind.PTY, null, "type", Map.of(), null,
                Pattern.compile("\\? for shortcuts"), Pattern.compile("Enter to confirm|esc to interrupt"),
                List.of(new Profile.Responder(Pattern.compile("one you trust\\?"), null, "Enter", Duration.ofSeconds(30))),
                postSpawn, Duration.ofSeconds(60), Duration.ofSeconds(10), "test");
    }

    private OutputWatcher watcher(Profile profile, String prompt) {
        OutputWatcher.Target target = new OutputWatcher.Target() {
            @Override
            public String name() {
                return "t";
            }

            @Override
            public boolean running() {
                return true;
            }

            @Override
            public void readiness(String state, String text) {
                readiness.add(state);
                stuckOn = text;
            }

            @Override
            public void inputWanted(boolean wants) {
                wanted.add(wants);
            }

            @Override
            public boolean send(String text, boolean enter) {
                typed.add(enter ? text + "⏎" : text);
                screen = screen + text; // the program echoes what it reads
                return true;
            }

            @Override
            public String screen() {
                return screen;
            }
        };
        return new OutputWatcher(target, profile, timers, Runnable::run, Runnable::run, prompt);
    }

    @Test
    void aDialogIsAnsweredOncePerAppearanceAndItsMarkerIsNotReady() {
        OutputWatcher watcher = watcher(profile(null), null);
        watcher.started();
        watcher.look(TRUST, 1 * S);
        watcher.look(TRUST + "\n(redrawn)", 2 * S);
        watcher.look(TRUST, 3 * S);
        assertEquals(List.of("⏎"), typed, "answered with the Enter key, once, although it was redrawn");
        assertEquals(List.of("starting", "awaiting-input"), readiness);

        watcher.look("loading…", 4 * S);
        assertEquals("starting", readiness.get(readiness.size() - 1), "the dialog has left the screen");
        watcher.look(TRUST, 5 * S);
        assertEquals(List.of("⏎", "⏎"), typed, "a second appearance is answered again");
        watcher.look(TRUST.replace("Enter to confirm", "") + "\n? for shortcuts", 6 * S);
        watcher.look(MAIN, 7 * S);
        watcher.look(MAIN, 8 * S);
        assertEquals("ready", readiness.get(readiness.size() - 1));
        assertEquals(List.of("⏎", "⏎"), typed, "no prompt to type");
    }

    @Test
    void aDialogThatStaysExactlyAsItWasAfterItsAnswerIsAnsweredAgainAfterThreeSeconds() {
        OutputWatcher watcher = watcher(profile(null), null);
        watcher.started();
        watcher.look(TRUST, 1 * S);
        watcher.look(TRUST, 3 * S);
        assertEquals(List.of("⏎"), typed, "not yet: the program may still be reading the first answer");
        watcher.look(TRUST, 4 * S + 1);
        assertEquals(List.of("⏎", "⏎"), typed, "the keys were not heard (nothing moved): answered again");
        watcher.look(TRUST + "\n(redrawn)", 5 * S);
        watcher.look(TRUST + "\n(redrawn)", 8 * S);
        assertEquals(List.of("⏎", "⏎"), typed, "the screen moved after the answer: it was heard, and not answered again");
    }

    /**
     * Gemini CLI 0.61 draws its ready prompt for about a second, then asks whether to trust the
     * folder: a prompt typed at once would go into that dialog (its "2" or "3" would even choose).
     */
    @Test
    void aReadyPromptMustStayOnScreenBeforeThePromptIsTyped() {
        OutputWatcher watcher = watcher(profile(null), "fix the bug");
        watcher.started();
        screen = MAIN;
        watcher.look(MAIN, S);
        watcher.look(MAIN, 2 * S);
        watcher.look(TRUST, 2 * S + S / 2);
        assertEquals(List.of("⏎"), typed, "only the dialog is answered, nothing typed into it");
        assertFalse(readiness.contains("ready"), readiness.toString());
        watcher.look(MAIN, 4 * S);
        watcher.look(MAIN, 5 * S);
        assertFalse(readiness.contains("ready"), "the hold starts again once the prompt is back: " + readiness);
        watcher.look(MAIN, 6 * S);
        assertEquals("ready", readiness.get(readiness.size() - 1));
        assertEquals(List.of("⏎", "fix the bug", "⏎"), typed);
    }

    @Test
    void notWhenKeepsADialogFromReadingAsReady() {
        OutputWatcher watcher = watcher(profile(null), null);
        watcher.started();
        watcher.look("? for shortcuts\nEnter to confirm · Esc to cancel", S);
        watcher.look("? for shortcuts\nEnter to confirm · Esc to cancel", 5 * S);
        assertFalse(readiness.contains("ready"), readiness.toString());
    }

    @Test
    void thePromptIsTypedThenEnterAsAKeyOfItsOwnOnceItShows() {
        OutputWatcher watcher = watcher(profile("/status"), "fix the bug");
        watcher.started();
        screen = MAIN;
        watcher.look(MAIN, S);
        watcher.look(MAIN, 3 * S);
        assertEquals(List.of("fix the bug", "⏎", "/status", "⏎"), typed);
        assertEquals(List.of("starting", "ready"), readiness);
        assertEquals(List.of(false, true), wanted, "the empty ready prompt waits for input");
        watcher.look(MAIN + "\n✻ Working… (esc to interrupt)", 4 * S);
        assertEquals(List.of(false, true, false), wanted, "at work: no input wanted");
    }

    @Test
    void aQuestionNoResponderKnowsIsStuckOnceTheScreenStaysStill() {
        OutputWatcher watcher = watcher(profile(null), null);
        watcher.started();
        String auth = "How would you like to authenticate for this project?\n  ● 1. Sign in with Google\n    2. Use Gemini API Key";
        watcher.look(auth, S);
        watcher.look(auth, 10 * S);
        assertEquals(List.of("starting"), readiness, "still for 9 s only");
        watcher.look(auth, 11 * S + 1);
        assertEquals(List.of("starting", "stuck"), readiness);
        assertEquals(auth, stuckOn);
        assertEquals(List.of(false, true), wanted, "stuck waits for a person");

        watcher.look("a person answered", 12 * S);
        assertEquals("starting", readiness.get(readiness.size() - 1), "the screen moved on before the start timeout");
        watcher.look(MAIN, 13 * S);
        watcher.look(MAIN, 15 * S);
        assertEquals("ready", readiness.get(readiness.size() - 1));
    }

    @Test
    void notReadyWithinTheStartTimeoutIsStuckEvenWhileTheScreenMoves() {
        OutputWatcher watcher = watcher(profile(null), null);
        watcher.started();
        long start = System.nanoTime();
        for (int i = 1; i <= 61; i++) {
            watcher.look("spinner " + i, start + i * S);
        }
        assertEquals("stuck", readiness.get(readiness.size() - 1));
        assertTrue(stuckOn.startsWith("spinner "), stuckOn);
        watcher.look(MAIN, start + 62 * S);
        watcher.look(MAIN, start + 64 * S);
        assertEquals("ready", readiness.get(readiness.size() - 1), "a stuck agent that gets ready is ready");
        assertNull(stuckOn);
    }

    @Test
    void keysAndLiteralTextBecomeSteps() {
        assertEquals(List.of(new Keys.Step("\u001b[B", false), Keys.Step.ENTER), Keys.parse("Down Enter"));
        assertEquals(List.of(new Keys.Step("1", false)), Keys.parse("1"));
        assertEquals(List.of(new Keys.Step("\u0003", false)), Keys.parse("C-c"));
        assertNull(Keys.parse("Dwn"));
        assertEquals(List.of(new Keys.Step("2", false), Keys.Step.ENTER), Keys.literal("2\r"));
        assertEquals(List.of(Keys.Step.ENTER), Keys.literal("\r"));
    }

    @Test
    void theScreenIsTrimmedOfBlankLinesAndTrailingSpaces() {
        assertEquals("  one\n\ntwo", OutputWatcher.trim("\n   \n  one   \n\ntwo  \n\n  \n"));
    }

    @Test
    void theBuiltInProfilesParse() {
        Map<String, Profile> builtIns = Profiles.builtIns();
        assertEquals(List.of("claude", "codex", "gemini", "generic"), List.copyOf(builtIns.keySet()));
        for (String name : List.of("claude", "codex", "gemini")) {
            Profile profile = builtIns.get(name);
            assertEquals(SessionSpec.Kind.TMUX, profile.kind(), name);
            assertEquals("type", profile.prompt(), name);
            assertEquals(1, profile.responders().size(), name + " answers the folder-trust dialog only");
            assertEquals("Enter", profile.responders().get(0).keys(), name);
        }
    }
}
