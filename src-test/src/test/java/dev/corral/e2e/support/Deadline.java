package dev.corral.e2e.support;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition to become true, checking often, failing with a message at a deadline. */
public final class Deadline {
    /**
     * How long a test waits for anything a user would wait for (a screen, a state, an event):
     * long enough for a loaded 2-CPU machine, short enough that a broken feature fails the run.
     */
    public static final Duration LIMIT = Duration.ofSeconds(60);

    private Deadline() {}

    public static void await(Duration limit, Supplier<String> what, BooleanSupplier condition) {
        long end = System.nanoTime() + limit.toNanos();
        long pause = 5;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("gave up after " + limit + " waiting for " + what.get());
            }
            // A poll interval between checks of the condition, not a guess at how long things take.
            LockSupport.parkNanos(pause * 1_000_000);
            if (Thread.interrupted()) {
                throw new AssertionError("interrupted waiting for " + what.get());
            }
            pause = Math.min(pause * 2, 100);
        }
    }
}
