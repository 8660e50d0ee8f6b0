package dev.corral.daemon.agent;

import dev.corral.daemon.session.Refusal;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an agent session's visible screen and moves its readiness: {@code starting};
 * {@code awaiting-input} while a dialog a responder knows is on screen (the responder answers it
 * once per appearance: {@link Responders}); {@code ready} once {@code ready_when} has been on
 * screen for {@link #READY_HOLD_NANOS} without {@code not_when} (then the prompt is typed);
 * {@code stuck} when it is not ready within {@code start_timeout}, or the screen stays unchanged
 * for {@code stuck_after} (a question no responder knows), or a responder's {@code within} has
 * passed since it answered; {@code exited} when the program ends before it was ready.
 * {@code stuck} and {@code exited} carry the screen's text.
 *
 * <p>It also says when the agent waits for a person (the session's status {@code needs-input}):
 * while it is stuck, and, once ready, for as long as the ready prompt is on screen.
 *
 * <p>Threads: {@link #changed} comes from the session's reader and only schedules; the screen is
 * read on the {@code watch} executor, keys are typed on the {@code typing} executor
 * ({@link Typing}), timers tick on {@code timers}. The watcher's lock is taken before a
 * session's, never the other way round.
 */
final class OutputWatcher {
    /** The session as the watcher sees it. */
    interface Target {
        String name();

        boolean running();

        void readiness(String state, String screen);

        /** True while the agent waits for a person: the status reads needs-input until it is false again. */
        void inputWanted(boolean wanted);

        boolean send(String text, boolean enter) throws Refusal;

        /** The visible screen as text (see {@link #trim}); may take a moment, so never on a reader thread. */
        String screen();
    }

    private static final Logger log = LoggerFactory.getLogger(OutputWatcher.class);
    /** Output is looked at this long after it came, so a burst of redraws is read once. */
    static final long SETTLE_MILLIS = 100;
    /** How often the timeouts are checked while not ready (no screen is read for it). */
    static final long TICK_MILLIS = 250;
    /**
     * The ready prompt must stay on screen this long before the agent is ready: a CLI may draw its
     * prompt a moment before a dialog covers it (Gemini CLI 0.61: 0.5 s here when idle, 0.9 s under
     * load, before it asks whether to trust the folder), and a prompt typed then is lost or goes
     * into the dialog. A profile whose CLI takes longer says more in its ready_when (Gemini's does).
     */
    static final long READY_HOLD_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A stuck screen's text is taken again once the screen has been still this long. */
    static final long STILL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Target session;
    private final Profile profile;
    private final ScheduledExecutorService timers;
    private final Executor watch;
    private final Typing typing;
    private final Responders responders;
    private final String typedPrompt;
    private final AtomicBoolean lookPending = new AtomicBoolean();
    private volatile boolean closed;

    private long startedAt;
    private String screen = "";
    private long changedAt;
    /** Since when the ready prompt has been on screen without a break (0: it is not). */
    private long promptSince;
    private boolean ready;
    private String state;
    private String stuckOn;
    private Boolean wanted;
    private volatile ScheduledFuture<?> tick;

    OutputWatcher(Target session, Profile profile, ScheduledExecutorService timers, Executor watch, Executor typing, String typedPrompt) {
        this.session = session;
        this.profile = profile;
        this.timers = timers;
        this.watch = watch;
        this.typing = new Typing(session, typing);
        this.responders = new Responders(profile.responders());
        this.typedPrompt = typedPrompt;
    }

    /** The program has started: without a ready pattern, it is ready at once. */
    synchronized void started() {
        startedAt = System.nanoTime();
        changedAt = startedAt;
        if (profile.readyWhen() == null) {
            becomeReady();
            return;
        }
        move("starting", null);
        try {
            tick = timers.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the daemon is stopping
        }
    }

    /** The session wrote something (on its reader thread): the screen is read a moment later. Never blocks. */
    void changed() {
        if (closed || !lookPending.compareAndSet(false, true)) {
            return;
        }
        try {
            timers.schedule(() -> watch.execute(this::readScreen), SETTLE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            lookPending.set(false);
        }
    }

    private void readScreen() {
        lookPending.set(false);
        if (!closed) {
            look(session.screen(), System.nanoTime());
        }
    }

    private synchronized void tick() {
        look(screen, System.nanoTime());
    }

    /** The program ended: one that was not ready yet is {@code exited}, with what it left on screen. */
    void ended() {
        closed = true;
        typing.close();
        cancelTick();
        try {
            watch.execute(() -> {
                String last = session.screen();
                synchronized (this) {
                    if (!ready) {
                        log.info("session {} exited before it was ready; its screen: {}", session.name(), oneLine(last));
                        move("exited", last);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // the daemon is stopping
        }
    }

    /** The session is gone: nothing more is looked at or typed. */
    void close() {
        closed = true;
        typing.close();
        cancelTick();
    }

    private void cancelTick() {
        ScheduledFuture<?> pending = tick;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    /** The screen now is {@code text}: answer what appeared, then judge readiness. Package-private for tests. */
    synchronized void look(String text, long now) {
        if (closed) {
            return;
        }
        if (!text.equals(screen)) {
            screen = text;
            changedAt = now;
        }
        boolean dialog = responders.look(text, now, changedAt, ready, this::answer);
        boolean prompt = promptWaits(text);
        if (!prompt) {
            promptSince = 0;
        } else if (!ready && promptSince == 0) {
            promptSince = now;
        }
        // A screen read still pending may show the prompt gone: the tick judges the last one read.
        if (!ready && prompt && now - promptSince >= READY_HOLD_NANOS && !lookPending.get()) {
            becomeReady();
        }
        if (!ready) {
            judge(now, dialog);
        }
        want(ready ? prompt : "stuck".equals(state));
    }

    /** The ready prompt is on screen, and nothing that says it is not (a dialog's footer, work going on). */
    private boolean promptWaits(String text) {
        Pattern readyWhen = profile.readyWhen();
        Pattern notWhen = profile.notWhen();
        return readyWhen != null && readyWhen.matcher(text).find() && (notWhen == null || !notWhen.matcher(text).find());
    }

    private void judge(long now, boolean dialog) {
        String why = null;
        Duration since = Duration.ofNanos(now - startedAt);
        if (since.compareTo(profile.startTimeout()) >= 0) {
            why = "not ready " + seconds(profile.startTimeout()) + " after the start";
        } else if (!screen.isBlank() && Duration.ofNanos(now - changedAt).compareTo(profile.stuckAfter()) >= 0) {
            // A blank screen asks nothing: the program has not drawn yet (the start timeout covers it).
            why = "its screen has not changed for " + seconds(profile.stuckAfter()) + " and shows no ready prompt"
                    + (dialog ? "" : " nor a dialog a responder knows");
        } else {
            why = responders.overdue(now);
        }
        if (why == null) {
            move(dialog ? "awaiting-input" : "starting", null);
        } else if (!"stuck".equals(state)) {
            log.warn("session {} is stuck: {}; on screen: {}", session.name(), why, oneLine(screen));
            move("stuck", screen);
        } else if (!screen.equals(stuckOn) && now - changedAt >= STILL_NANOS) {
            move("stuck", screen);
        }
    }

    private void answer(Profile.Responder responder, String seen) {
        log.info("session {}: answering \"{}\" with {}", session.name(), oneLine(seen), describe(responder));
        typing.keys(responder.steps());
    }

    private void becomeReady() {
        ready = true;
        cancelTick();
        move("ready", null);
        if (typedPrompt != null && !typedPrompt.isEmpty()) {
            typing.submit(typedPrompt);
        }
        if (profile.postSpawn() != null) {
            typing.submit(profile.postSpawn());
        }
    }

    private void move(String next, String text) {
        if (next.equals(state) && Objects.equals(text, stuckOn)) {
            return;
        }
        state = next;
        stuckOn = text;
        session.readiness(next, text);
    }

    private void want(boolean wants) {
        if (wanted == null || wanted != wants) {
            wanted = wants;
            session.inputWanted(wants);
        }
    }

    /**
     * A screen's text as the watcher matches it and {@code stuckOn} shows it: each line without
     * trailing spaces, no blank lines before the first or after the last line of text.
     */
    static String trim(String text) {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        int first = 0;
        int last = lines.length - 1;
        while (first <= last && lines[first].isBlank()) {
            first++;
        }
        while (last >= first && lines[last].isBlank()) {
            last--;
        }
        for (int i = first; i <= last; i++) {
            out.append(lines[i].stripTrailing());
            if (i < last) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String describe(Profile.Responder responder) {
        return responder.keys() != null ? "keys " + responder.keys() : quoted(responder.send());
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() > 160 ? line.substring(0, 157) + "..." : line;
    }

    static String quoted(String text) {
        String shown = text.length() > 40 ? text.substring(0, 37) + "..." : text;
        return "\"" + shown.replace("\r", "\\r").replace("\n", "\\n").replace("\u001b", "\\e") + "\"";
    }
}
