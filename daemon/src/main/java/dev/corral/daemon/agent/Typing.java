package dev.corral.daemon.agent;

import dev.corral.daemon.session.Refusal;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Types into an agent session for its {@link OutputWatcher}: a responder's keys, a gap between
 * them so that no CLI reads them as a paste, and a prompt whose Enter is pressed as a key of its
 * own once the text shows. Typing may start a tmux process and waits for the screen, so it runs
 * on the {@code typing} executor: never on a reader thread, never under the watcher's lock.
 */
final class Typing {
    private static final Logger log = LoggerFactory.getLogger(Typing.class);
    /** Typed text must show on screen (and the screen settle) within this, before Enter is pressed. */
    static final long ECHO_MILLIS = 3000;
    static final long ECHO_STILL_MILLIS = 150;
    static final long ECHO_POLL_MILLIS = 50;
    /** Between the keys of one answer, so that no CLI reads them as a paste. */
    static final long KEY_GAP_MILLIS = 30;

    private final OutputWatcher.Target session;
    private final Executor typing;
    private volatile boolean closed;

    Typing(OutputWatcher.Target session, Executor typing) {
        this.session = session;
        this.typing = typing;
    }

    /** Nothing more is typed: the program ended or the session is gone. */
    void close() {
        closed = true;
    }

    /** Types a responder's answer, one step after another. */
    void keys(List<Keys.Step> steps) {
        later(() -> {
            for (int i = 0; i < steps.size(); i++) {
                if (i > 0) {
                    Thread.sleep(KEY_GAP_MILLIS);
                }
                send(steps.get(i).text(), steps.get(i).enter());
            }
        });
    }

    /** Types {@code text} and submits it (see {@link #submitNow}). */
    void submit(String text) {
        later(() -> submitNow(text));
    }

    /**
     * Types {@code text}, waits until the screen shows it (changed, then still for a moment), and
     * only then presses Enter as a key of its own: a CLI that takes text and Enter arriving together
     * as one paste would otherwise leave the prompt in its input box.
     */
    private void submitNow(String text) throws InterruptedException {
        String before = session.screen();
        if (!send(text, false)) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ECHO_MILLIS);
        String last = before;
        long stillSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(ECHO_POLL_MILLIS);
            String now = session.screen();
            if (!now.equals(last)) {
                last = now;
                stillSince = System.nanoTime();
            } else if (!now.equals(before) && System.nanoTime() - stillSince >= TimeUnit.MILLISECONDS.toNanos(ECHO_STILL_MILLIS)) {
                break;
            }
        }
        if (last.equals(before)) {
            log.warn("session {}: the typed text did not show on screen within {} ms; pressing Enter anyway", session.name(), ECHO_MILLIS);
        }
        send("", true);
    }

    private boolean send(String text, boolean enter) {
        String shown = enter && text.isEmpty() ? "Enter" : OutputWatcher.quoted(text) + (enter ? " Enter" : "");
        try {
            if (closed || !session.running() || !session.send(text, enter)) {
                log.warn("session {}: could not type {}", session.name(), shown);
                return false;
            }
            return true;
        } catch (Refusal e) {
            log.warn("session {}: could not type {}: {}", session.name(), shown, e.getMessage());
            return false;
        }
    }

    private interface Body {
        void run() throws InterruptedException;
    }

    private void later(Body body) {
        try {
            typing.execute(() -> {
                try {
                    body.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } catch (RejectedExecutionException e) {
            // the daemon is stopping
        }
    }
}
