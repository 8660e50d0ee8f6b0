package dev.corral.daemon.workspace;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work in workspaces that must not run on the thread that noticed it (end-of-session writes, the
 * adoption of a lease), one piece after another on the {@code workspace-endings} thread. A spawn
 * or lease command in a workspace first waits (at most {@link #ENDING_WAIT}) for the work queued there.
 */
final class WorkQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkQueue.class);
    /** How long a spawn or a lease command waits for an ending session's writes in the same workspace. */
    static final Duration ENDING_WAIT = Duration.ofSeconds(30);

    private final ExecutorService endings;
    /** The latest work queued per workspace; later work in it waits for this. */
    private final Map<Path, CompletableFuture<Void>> lastWork = new ConcurrentHashMap<>();

    /** {@code endings} runs the work, one piece after another; closed with this queue. */
    WorkQueue(ExecutorService endings) {
        this.endings = endings;
    }

    /** Queues work on the endings thread; later spawns and lease commands in that workspace wait for it. */
    void queue(Path root, Runnable work) {
        try {
            lastWork.compute(root, (key, previous) -> {
                CompletableFuture<Void> next = CompletableFuture.runAsync(() -> {
                    try {
                        work.run();
                    } catch (RuntimeException e) {
                        log.error("bug: workspace work in {} failed", root, e);
                    }
                }, endings);
                next.whenComplete((done, failure) -> lastWork.remove(key, next));
                return next;
            });
        } catch (RejectedExecutionException e) {
            // The daemon is stopping: the next one finds the start record and finishes the session.
            log.info("daemon stopping: end-of-session work in {} is left to the next daemon", root);
        }
    }

    void await(Path root) {
        CompletableFuture<Void> pending = lastWork.get(root);
        if (pending == null) {
            return;
        }
        try {
            pending.get(ENDING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("end-of-session work in {} is still running after {}; going on without it", root, ENDING_WAIT);
        } catch (ExecutionException e) {
            log.warn("end-of-session work in {} failed: {}", root, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets queued work land (it is short: summaries, lease removal), at most a few seconds. */
    @Override
    public void close() {
        endings.shutdown();
        try {
            endings.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
