package dev.corral.daemon.concurrent;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A scheduler for work that blocks (a tmux or docker check with a timeout of seconds): the timer
 * only says when, and the work runs on {@code work}, so a hung engine holds a worker, never the
 * timer that idle checks and reapers share. Shutting this down is the owner's business: it owns
 * neither executor.
 */
public final class OffloadedTimers extends AbstractExecutorService implements ScheduledExecutorService {
    private final ScheduledExecutorService timer;
    private final Executor work;

    public OffloadedTimers(ScheduledExecutorService timer, Executor work) {
        this.timer = timer;
        this.work = work;
    }

    @Override
    public void execute(Runnable command) {
        if (timer.isShutdown()) {
            throw new RejectedExecutionException("stopping");
        }
        work.execute(command);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return timer.schedule(() -> handOver(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("only Runnables are offloaded");
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return timer.scheduleAtFixedRate(once(command), initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return timer.scheduleWithFixedDelay(once(command), initialDelay, delay, unit);
    }

    /** A periodic check runs once at a time: a period that comes while the last run still blocks is skipped. */
    private Runnable once(Runnable command) {
        AtomicBoolean running = new AtomicBoolean();
        Runnable guarded = () -> {
            try {
                command.run();
            } finally {
                running.set(false);
            }
        };
        return () -> {
            if (running.compareAndSet(false, true)) {
                try {
                    work.execute(guarded);
                } catch (RejectedExecutionException e) {
                    running.set(false);
                }
            }
        };
    }

    private void handOver(Runnable command) {
        try {
            work.execute(command);
        } catch (RejectedExecutionException e) {
            // Stopping, or every worker is blocked and the queue full: this check is skipped, the next one comes.
        }
    }

    @Override
    public void shutdown() {
        throw new UnsupportedOperationException("owned by the daemon, which shuts down the timer and the workers");
    }

    @Override
    public List<Runnable> shutdownNow() {
        throw new UnsupportedOperationException("owned by the daemon, which shuts down the timer and the workers");
    }

    @Override
    public boolean isShutdown() {
        return timer.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return timer.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return timer.awaitTermination(timeout, unit);
    }
}
