package dev.corral.daemon.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.daemon.session.SessionSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The matching of streamed output, with a recording stand-in for the session. */
class OutputWatcherTest {
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<String> typed = new ArrayList<>();
    private final List<String> readiness = new ArrayList<>();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private OutputWatcher watcher(Pattern readyWhen, String postSpawn) {
        Profile profile = new Profile("t", List.of("t"), List.of(), Map.of(), SessionSpec.Kind.PTY, "env", Map.of(), null,
                readyWhen, List.of(new Profile.Responder(Pattern.compile("trust this folder\\?"), "y\r", Duration.ofMinutes(1))),
                postSpawn, "test");
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
            public void readiness(String state, String screen) {
                readiness.add(state);
            }

            @Override
            public boolean send(String text, boolean enter) {
                typed.add(enter ? text + "⏎" : text);
                return true;
            }
        };
        return new OutputWatcher(target, profile, timers, Runnable::run, null);
    }

    private static void feed(OutputWatcher watcher, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        watcher.feed(bytes, bytes.length);
    }

    @Test
    void aDialogSplitAcrossChunksAndEscapesIsAnsweredOnce() {
        OutputWatcher watcher = watcher(Pattern.compile("READY>"), null);
        watcher.started();
        feed(watcher, "Do you \u001b[1mtrust th");
        feed(watcher, "is fol\u001b");
        feed(watcher, "[0mder?\r\n");
        feed(watcher, "still waiting\r\n");
        assertEquals(List.of("y\r"), typed, "answered once, although more output followed");
        assertEquals(List.of("starting", "awaiting-input"), readiness);

        feed(watcher, "trust this folder?");
        assertEquals(List.of("y\r", "y\r"), typed, "a second appearance is answered again");
        feed(watcher, "READY>");
        assertEquals("ready", readiness.get(readiness.size() - 1));
    }

    @Test
    void aMultiByteCharacterCutInTwoStillMatches() {
        OutputWatcher watcher = watcher(Pattern.compile("ready ✓"), "go");
        watcher.started();
        byte[] bytes = "ready ✓".getBytes(StandardCharsets.UTF_8);
        watcher.feed(bytes, bytes.length - 1);
        assertTrue(typed.isEmpty());
        watcher.feed(new byte[] {bytes[bytes.length - 1]}, 1);
        assertEquals(List.of("go⏎"), typed, "post_spawn is typed once ready");
    }

    @Test
    void cursorMovesKeepWordsApart() {
        StringBuilder out = new StringBuilder();
        new OutputWatcher.AnsiStripper().strip(java.nio.CharBuffer.wrap("in\u001b[2Cthis\u001b]0;title\u0007 folder"), out);
        assertEquals("in this folder", out.toString());
    }
}
