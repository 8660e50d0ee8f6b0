package dev.corral.daemon.concurrent;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs its tasks one after another, in order, on a shared pool: one session's checks never run
 * at the same time (as they did not on the single timer thread they left), while different
 * sessions' checks run side by side. At most {@link #MAX_WAITING} wait; past that a task is refused.
 */
public final class SerialExecutor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
    static final int MAX_WAITING = 64;

    private final Executor pool;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean draining;

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public synchronized void execute(Runnable task) {
        if (tasks.size() >= MAX_WAITING) {
            throw new RejectedExecutionException(MAX_WAITING + " tasks already wait");
        }
        tasks.add(task);
        if (!draining) {
            draining = true;
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining = false;
                tasks.removeLast();
                throw e;
            }
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                log.error("bug: a check failed", e);
            }
        }
    }
}
