package dev.corral.daemon;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives memory back after sessions are removed. The serial collector (bin/corrald) returns
 * committed heap only at a full collection, and nothing else starts one in a daemon at rest: so
 * once the number of sessions has fallen well below its peak and stayed put for one interval,
 * one {@code System.gc()} runs here, and the heap shrinks to {@code MaxHeapFreeRatio} above what
 * is live. It also lets the cleaners free the native memory of the PTYs gone (JNA), which the
 * JVM's periodic {@code malloc_trim} ({@code -XX:TrimNativeHeapInterval}, JDK 22 and later)
 * then returns. At most one collection per interval, on a thread of its own, never on a
 * serving thread; a daemon whose session count only grows never collects here.
 */
final class MemoryTrim implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(MemoryTrim.class);
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** A fall smaller than this (or than a quarter of the peak) is not worth a full collection. */
    static final int MIN_FALL = 8;

    private static ScheduledThreadPoolExecutor timer;

    private final IntSupplier sessions;
    private int peak;
    private int last = -1;

    MemoryTrim(IntSupplier sessions) {
        this.sessions = sessions;
    }

    /** Starts the check every {@link #INTERVAL} on a daemon thread. */
    static synchronized void start(IntSupplier sessions) {
        // Not Executors.newSingleThreadScheduledExecutor: its wrapper shuts the timer down once
        // the wrapper itself is collected, and nothing else would hold it.
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "memory-trim");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(new MemoryTrim(sessions), INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        try {
            if (due()) {
                long before = committedHeap();
                long start = System.nanoTime();
                System.gc();
                log.info("sessions fell to {}: heap collected in {} ms, committed {} MiB -> {} MiB", last,
                        (System.nanoTime() - start) / 1_000_000, before >> 20, committedHeap() >> 20);
            }
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again.
            log.warn("bug: the memory trim failed", e);
        }
    }

    /** Whether to collect now: the count fell far enough from its peak and did not change since the last check. */
    boolean due() {
        int now = sessions.getAsInt();
        peak = Math.max(peak, now);
        boolean settled = now == last;
        last = now;
        if (settled && peak - now >= Math.max(MIN_FALL, peak / 4)) {
            peak = now;
            return true;
        }
        return false;
    }

    private static long committedHeap() {
        return Runtime.getRuntime().totalMemory();
    }
}
