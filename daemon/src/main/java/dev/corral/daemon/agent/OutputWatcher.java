package dev.corral.daemon.agent;

import dev.corral.daemon.session.SessionException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an agent session's output as it streams and moves its readiness: {@code starting}, then
 * {@code awaiting-input} while a responder's dialog is on screen (the responder answers it),
 * {@code ready} once {@code ready_when} matches, or {@code stuck} when a dialog is still unanswered
 * {@code within} after it appeared. Matching runs on the text with escape sequences removed, over
 * a window that spans chunk boundaries; each appearance of a dialog is answered once.
 */
final class OutputWatcher {
    /** The session as the watcher sees it: a name, a readiness to move, text to type. */
    interface Target {
        String name();

        boolean running();

        void readiness(String state, String screen);

        boolean send(String text, boolean enter) throws SessionException;
    }

    private static final Logger log = LoggerFactory.getLogger(OutputWatcher.class);
    /** Plain text kept for matching; older text is dropped from the front. */
    private static final int WINDOW = 32 * 1024;
    /** What {@code stuck} reports as the text on screen. */
    private static final int SCREEN = 600;
    /** A responder answers at most this often per session: a dialog that never clears must not become a loop. */
    static final int MAX_ANSWERS = 10;

    private final Target session;
    private final Profile profile;
    private final ScheduledExecutorService timers;
    private final Executor typing;
    private final String typedPrompt;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final AnsiStripper stripper = new AnsiStripper();
    private final StringBuilder window = new StringBuilder();
    /** Absolute offset (in plain characters since the start) of window's first character. */
    private long windowStart;
    /** Per responder: where its next search starts, so a match is answered once. */
    private final long[] searchFrom;
    private final ScheduledFuture<?>[] deadlines;
    private final int[] answers;
    private boolean ready;
    private ByteBuffer pending = ByteBuffer.allocate(0);

    OutputWatcher(Target session, Profile profile, ScheduledExecutorService timers, Executor typing, String typedPrompt) {
        this.session = session;
        this.profile = profile;
        this.timers = timers;
        this.typing = typing;
        this.typedPrompt = typedPrompt;
        this.searchFrom = new long[profile.responders().size()];
        this.deadlines = new ScheduledFuture<?>[profile.responders().size()];
        this.answers = new int[profile.responders().size()];
    }

    /** The program has started: without a ready pattern, it is ready at once. */
    synchronized void started() {
        if (profile.readyWhen() == null) {
            becomeReady();
        } else {
            session.readiness("starting", null);
        }
    }

    /** Output from the session's reader thread: decoded, stripped, matched. Never blocks. */
    synchronized void feed(byte[] buffer, int length) {
        ByteBuffer in = ByteBuffer.allocate(pending.remaining() + length);
        in.put(pending).put(buffer, 0, length).flip();
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, out, false);
        pending = in.slice();
        out.flip();
        stripper.strip(out, window);
        if (window.length() > WINDOW) {
            int drop = window.length() - WINDOW;
            window.delete(0, drop);
            windowStart += drop;
        }
        match();
    }

    private void match() {
        List<Profile.Responder> responders = profile.responders();
        boolean dialogOnScreen = false;
        for (int i = 0; i < responders.size(); i++) {
            Profile.Responder responder = responders.get(i);
            int from = (int) Math.max(0, searchFrom[i] - windowStart);
            Matcher m = responder.when().matcher(window);
            if (from <= window.length() && m.find(from)) {
                searchFrom[i] = windowStart + m.end();
                dialogOnScreen = true;
                answer(i, responder, m.group());
            }
        }
        if (!ready && profile.readyWhen() != null) {
            Matcher m = profile.readyWhen().matcher(window);
            if (m.find()) {
                becomeReady();
                return;
            }
        }
        if (dialogOnScreen && !ready) {
            session.readiness("awaiting-input", null);
        }
    }

    private void answer(int index, Profile.Responder responder, String seen) {
        if (answers[index] >= MAX_ANSWERS) {
            return;
        }
        answers[index]++;
        log.info("session {}: answering \"{}\" with {}", session.name(), oneLine(seen), quoted(responder.send()));
        type(responder.send(), false);
        if (deadlines[index] == null) {
            // Counted from the first unanswered appearance: a dialog that keeps coming back
            // does not push its deadline on.
            deadlines[index] = timers.schedule(() -> expire(index), responder.within().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** {@code within} has passed since a dialog was answered: still not ready means stuck. */
    private synchronized void expire(int index) {
        deadlines[index] = null;
        if (!ready && session.running()) {
            String screen = window.substring(Math.max(0, window.length() - SCREEN)).strip();
            log.warn("session {} is stuck: not ready {} after answering /{}/", session.name(),
                    profile.responders().get(index).within(), profile.responders().get(index).when().pattern());
            session.readiness("stuck", screen);
        }
    }

    private void becomeReady() {
        ready = true;
        for (int i = 0; i < deadlines.length; i++) {
            if (deadlines[i] != null) {
                deadlines[i].cancel(false);
                deadlines[i] = null;
            }
        }
        session.readiness("ready", null);
        if (typedPrompt != null && !typedPrompt.isEmpty()) {
            type(typedPrompt, true);
        }
        if (profile.postSpawn() != null) {
            type(profile.postSpawn(), true);
        }
    }

    /** Typing may start a tmux process: never on the reader thread. */
    private void type(String text, boolean enter) {
        typing.execute(() -> {
            try {
                if (!session.running() || !session.send(text, enter)) {
                    log.warn("session {}: could not type {}", session.name(), quoted(text));
                }
            } catch (SessionException e) {
                log.warn("session {}: could not type {}: {}", session.name(), quoted(text), e.getMessage());
            }
        });
    }

    synchronized void close() {
        for (ScheduledFuture<?> deadline : deadlines) {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }

    private static String quoted(String text) {
        String shown = text.length() > 40 ? text.substring(0, 37) + "..." : text;
        return "\"" + shown.replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }

    /**
     * Removes terminal escape sequences, keeping the text a person would read. Cursor moves
     * forward or to a position become one space, so words drawn apart stay apart. Its state
     * carries over between chunks, so a sequence split across reads is still removed.
     */
    static final class AnsiStripper {
        private static final Pattern SPACING = Pattern.compile("[CHfG]");
        private int state;
        private final StringBuilder parameters = new StringBuilder();

        void strip(CharBuffer in, StringBuilder out) {
            while (in.hasRemaining()) {
                char c = in.get();
                switch (state) {
                    case 0 -> {
                        if (c == 0x1b) {
                            state = 1;
                        } else if (c == '\r') {
                            // Ignored: lines end at \n; a lone \r redraws the same line.
                        } else if (c >= 0x20 || c == '\n' || c == '\t') {
                            out.append(c);
                        }
                    }
                    case 1 -> {
                        if (c == '[') {
                            state = 2;
                            parameters.setLength(0);
                        } else if (c == ']' || c == 'P' || c == '_' || c == '^') {
                            state = 3;
                        } else {
                            state = 0;
                        }
                    }
                    case 2 -> {
                        if (c >= 0x40 && c <= 0x7e) {
                            if (SPACING.matcher(String.valueOf(c)).matches()) {
                                out.append(' ');
                            }
                            state = 0;
                        } else {
                            parameters.append(c);
                        }
                    }
                    case 3 -> {
                        if (c == 0x07) {
                            state = 0;
                        } else if (c == 0x1b) {
                            state = 4;
                        }
                    }
                    default -> state = c == '\\' ? 0 : 3;
                }
            }
        }
    }
}
