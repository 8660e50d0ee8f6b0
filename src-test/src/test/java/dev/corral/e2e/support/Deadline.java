package dev.corral.e2e.support;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition to become true, checking often, failing with a message at a deadline. */
public final class Deadline {
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
