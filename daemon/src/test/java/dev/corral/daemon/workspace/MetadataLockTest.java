package dev.corral.daemon.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata lock: one writer at a time across threads and processes, a timeout, and a dead holder's lock taken over. */
class MetadataLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondWriterWaitsAtMostTheTimeoutAndGetsTheLockOnceReleased() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
            try (MetadataLock lock = MetadataLock.acquire(dir, Duration.ofSeconds(5))) {
                held.countDown();
                release.await();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(held.await(10, TimeUnit.SECONDS));
        long start = System.nanoTime();
        assertThrows(MetadataLock.Timeout.class, () -> MetadataLock.acquire(dir, Duration.ofMillis(200)));
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(waited.compareTo(Duration.ofMillis(190)) >= 0, "gave up before its 200 ms timeout: " + waited);
        // The bound: it gives up at its timeout (plus scheduling slack), not at the holder's 5 s or never.
        assertTrue(waited.compareTo(Duration.ofSeconds(3)) < 0, "waited well past its 200 ms timeout: " + waited);
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        try (MetadataLock lock = MetadataLock.acquire(dir, Duration.ofSeconds(5))) {
            assertTrue(MetadataLock.heldByCurrentThread(dir));
            assertTrue(Files.readString(dir.resolve(MetadataLock.FILE)).contains("pid " + ProcessHandle.current().pid()),
                    "the lock file names its holder");
        }
        assertEquals("", Files.readString(dir.resolve(MetadataLock.FILE)), "released: the file is emptied");
    }

    @Test
    void anotherProcessHoldingTheLockIsNamedAndItsLockIsTakenOverWhenItDies() throws Exception {
        Path file = dir.resolve(MetadataLock.FILE);
        // fcntl locks, the kind Java's FileChannel.lock takes, held by a real second process.
        Process other = new ProcessBuilder("python3", "-c", String.join("\n",
                "import fcntl, sys",
                "f = open(sys.argv[1], 'a+')",
                "fcntl.lockf(f, fcntl.LOCK_EX)",
                "f.write('pid 4242 on elsewhere since then')",
                "f.flush()",
                "print('locked', flush=True)",
                "sys.stdin.read()"), file.toString()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            MetadataLock.Timeout timeout = assertThrows(MetadataLock.Timeout.class,
                    () -> MetadataLock.acquire(dir, Duration.ofMillis(300)));
            assertTrue(timeout.getMessage().contains("pid 4242 on elsewhere"), timeout.getMessage());
        } finally {
            other.destroyForcibly();
            other.waitFor(10, TimeUnit.SECONDS);
        }
        // The holder died holding it: its line is still in the file, its OS lock is gone.
        assertTrue(Files.readString(file).contains("pid 4242"));
        try (MetadataLock lock = MetadataLock.acquire(dir, Duration.ofSeconds(2))) {
            assertTrue(Files.readString(file).contains("pid " + ProcessHandle.current().pid()));
        }
    }

    @Test
    void writesWithoutTheLockAreABug() throws Exception {
        MetadataDir meta = new MetadataDir(dir, new com.fasterxml.jackson.databind.ObjectMapper(), Duration.ofSeconds(1));
        assertThrows(IllegalStateException.class, meta::deleteLease);
        try (MetadataLock lock = meta.lock()) {
            meta.deleteLease();
        }
        assertTrue(Files.readString(dir.resolve(".corral/.gitignore")).contains("*"), "git is told to leave .corral alone");
    }
}
