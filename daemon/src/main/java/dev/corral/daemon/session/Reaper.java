package dev.corral.daemon.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Forgets each ended session once its grace period has passed: a timer per end, no polling. The
 * reaper of a session forgotten sooner is cancelled, since one left in the queue would hold the
 * session (and its replay) for the whole grace period.
 */
final class Reaper {
    private final ScheduledExecutorService timers;
    private final Duration grace;
    private final Clock clock;
    private final Consumer<Session> reap;
    private final Map<Session, ScheduledFuture<?>> pending = new HashMap<>();

    /** {@code reap} runs where {@code timers} runs its work; it forgets the session. */
    Reaper(ScheduledExecutorService timers, Duration grace, Clock clock, Consumer<Session> reap) {
        this.timers = timers;
        this.grace = grace;
        this.clock = clock;
        this.reap = reap;
    }

    Duration grace() {
        return grace;
    }

    /** Sets the session's timer, measured from its end. The caller checks the session is still registered. */
    synchronized void schedule(Session session) {
        Instant now = clock.instant();
        Instant ended = session.endedAt() == null ? now : session.endedAt();
        long delay = Math.max(0, Duration.between(now, ended.plus(grace)).toMillis());
        if (timers.isShutdown()) {
            return;
        }
        try {
            pending.put(session, timers.schedule(() -> {
                synchronized (this) {
                    pending.remove(session);
                }
                reap.accept(session);
            }, delay, TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            // The daemon is stopping; the next one reaps it from its record.
        }
    }

    void cancel(Session session) {
        ScheduledFuture<?> reaper;
        synchronized (this) {
            reaper = pending.remove(session);
        }
        if (reaper != null) {
            reaper.cancel(false);
        }
    }

    synchronized int pending() {
        return pending.size();
    }
}
