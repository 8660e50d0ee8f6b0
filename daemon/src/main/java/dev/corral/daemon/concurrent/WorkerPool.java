package dev.corral.daemon.concurrent;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon's thread pools, made in one place so that each is named and bounded (README,
 * "Threads"). A worker pool starts a thread for each task that arrives while fewer than its bound
 * run, so work never waits behind blocked workers until the bound is reached; only then do tasks
 * queue, and past the queue they are refused (the caller answers BUSY). Idle threads end after
 * {@link #IDLE_SECONDS} seconds.
 */
public final class WorkerPool {
    /** How long an idle pool thread lives before it ends. */
    public static final long IDLE_SECONDS = 30;

    /**
     * Operations that may block (a spawn waiting up to 60 s for a container, 30 s for a workspace)
     * each get a worker thread at once, up to this many; past them work waits in a queue of
     * {@link #REQUEST_QUEUE}, and past that a request is answered BUSY.
     */
    public static final int REQUEST_THREADS = 64;
    public static final int REQUEST_QUEUE = 256;

    private WorkerPool() {}

    /** The daemon's pool for requests that may block ({@code corral-worker}), shared by the socket and the web view. */
    public static ThreadPoolExecutor requests() {
        return create("corral-worker", REQUEST_THREADS, REQUEST_QUEUE);
    }

    /**
     * A pool of at most {@code threads} threads named {@code name-N}, with {@code queue} tasks
     * waiting beyond them; a task past both is refused with a {@link java.util.concurrent.RejectedExecutionException}.
     */
    public static ThreadPoolExecutor create(String name, int threads, int queue) {
        // core = max with core threads timing out: a new thread per task until the bound, none kept idle.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), named(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** A timer thread named {@code name}: it only times, so what it runs must not block. */
    public static ScheduledThreadPoolExecutor timer(String name) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, named(name));
        // A cancelled timer leaves the queue at once, and what it refers to with it.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Daemon threads named {@code name} (the first) then {@code name-2}, {@code name-3}, ... */
    public static ThreadFactory named(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            int n = count.incrementAndGet();
            Thread thread = new Thread(runnable, n == 1 ? name : name + "-" + n);
            thread.setDaemon(true);
            return thread;
        };
    }
}
