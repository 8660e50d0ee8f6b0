package dev.corral.daemon.concurrent;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Polling with a deadline and pauses that double up to a ceiling, for a condition nobody can be
 * told about (an OS file lock held by another process, a container the engine is starting).
 * One per wait; not shared between threads.
 */
public final class Backoff {
    private final long deadline;
    private final long maxPauseNanos;
    private long pauseNanos;

    private Backoff(Duration limit, Duration firstPause, Duration maxPause) {
        this.deadline = System.nanoTime() + limit.toNanos();
        this.pauseNanos = firstPause.toNanos();
        this.maxPauseNanos = maxPause.toNanos();
    }

    /** Starts the clock: {@link #expired} is true {@code limit} from now. */
    public static Backoff of(Duration limit, Duration firstPause, Duration maxPause) {
        return new Backoff(limit, firstPause, maxPause);
    }

    public boolean expired() {
        return System.nanoTime() > deadline;
    }

    /** Waits the next pause (never past the deadline by more than one pause), then doubles it. */
    public void pause() {
        LockSupport.parkNanos(pauseNanos);
        pauseNanos = Math.min(pauseNanos * 2, maxPauseNanos);
    }
}
