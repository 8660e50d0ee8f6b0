package dev.corral.daemon.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pools: work that waits gets a thread while blocked work holds others; a blocked check never holds the timer. */
@Timeout(30)
class WorkerPoolTest {
    @Test
    void twoBlockedTasksDoNotDelayAThird() throws Exception {
        ThreadPoolExecutor pool = WorkerPool.requests();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(2);
        try {
            for (int i = 0; i < 2; i++) {
                pool.execute(() -> {
                    blocked.countDown();
                    await(release);
                });
            }
            assertTrue(blocked.await(5, TimeUnit.SECONDS));
            CountDownLatch third = new CountDownLatch(1);
            pool.execute(third::countDown);
            assertTrue(third.await(2, TimeUnit.SECONDS), "the third task waited behind the two blocked ones");
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("corral-worker")));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void theEarlierPoolShapeStarvesTheThirdTask() throws Exception {
        // ThreadPoolExecutor(2, 16, queue 256) as corrald had it: a third thread only once 256 tasks wait.
        ThreadPoolExecutor old = new ThreadPoolExecutor(2, 16, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256));
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int i = 0; i < 2; i++) {
                old.execute(() -> await(release));
            }
            CountDownLatch third = new CountDownLatch(1);
            old.execute(third::countDown);
            assertFalse(third.await(500, TimeUnit.MILLISECONDS), "the fault this pool replaces is gone from the JDK?");
        } finally {
            release.countDown();
            old.shutdownNow();
        }
    }

    @Test
    void pastItsThreadsAndQueueAPoolRefuses() {
        ThreadPoolExecutor pool = WorkerPool.create("test-bounded", 1, 1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            pool.execute(() -> await(release));
            pool.execute(() -> await(release));
            assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aHungCheckHoldsAWorkerNeverTheTimer() throws Exception {
        ScheduledThreadPoolExecutor timer = WorkerPool.timer("test-timer");
        ThreadPoolExecutor checks = WorkerPool.create("test-checks", 4, 16);
        OffloadedTimers offloaded = new OffloadedTimers(timer, checks);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger periodicRuns = new AtomicInteger();
        try {
            // A periodic check that hangs (a docker call against an engine that does not answer).
            offloaded.scheduleWithFixedDelay(() -> {
                periodicRuns.incrementAndGet();
                await(release);
            }, 0, 10, TimeUnit.MILLISECONDS);
            offloaded.schedule(() -> await(release), 0, TimeUnit.MILLISECONDS);
            CountDownLatch idleTimer = new CountDownLatch(1);
            timer.schedule(idleTimer::countDown, 200, TimeUnit.MILLISECONDS);
            assertTrue(idleTimer.await(2, TimeUnit.SECONDS), "a timer task waited behind hung checks");
            assertEquals(1, periodicRuns.get(), "a periodic check runs once at a time: the next period is skipped while it hangs");
        } finally {
            release.countDown();
            timer.shutdownNow();
            checks.shutdownNow();
        }
    }

    @Test
    void oneSessionsChecksRunOneAtATimeAndTwoSessionsSideBySide() throws Exception {
        ThreadPoolExecutor pool = WorkerPool.create("test-serial", 4, 16);
        try {
            SerialExecutor first = new SerialExecutor(pool);
            SerialExecutor second = new SerialExecutor(pool);
            AtomicInteger inFirst = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch firstDone = new CountDownLatch(3);
            first.execute(() -> await(release));
            for (int i = 0; i < 3; i++) {
                first.execute(() -> {
                    if (inFirst.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    inFirst.decrementAndGet();
                    firstDone.countDown();
                });
            }
            CountDownLatch secondRan = new CountDownLatch(1);
            second.execute(secondRan::countDown);
            assertTrue(secondRan.await(2, TimeUnit.SECONDS), "another session's check waited behind a blocked one");
            assertEquals(3, firstDone.getCount(), "the first session's later checks wait for its blocked one");
            release.countDown();
            assertTrue(firstDone.await(5, TimeUnit.SECONDS));
            assertEquals(0, overlaps.get());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
