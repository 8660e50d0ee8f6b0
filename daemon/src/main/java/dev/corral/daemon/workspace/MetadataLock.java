package dev.corral.daemon.workspace;

import dev.corral.daemon.state.OwnedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import dev.corral.daemon.concurrent.Backoff;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock every write into a workspace's {@code .corral/} happens under, so that two daemons
 * never interleave their writes there. The lock file carries an OS lock (fcntl) while it is held
 * and names its holder (pid, host, time); the holder empties it on release. The file itself stays:
 * deleting it would let a waiter lock a file that is no longer there. A holder line found by the
 * next writer means the holder died while holding it (the OS dropped its lock with the process):
 * that stale lock is taken over and the log says so. Threads of one daemon queue on an in-process
 * lock first, since the OS lock is per process. A writer waits at most the timeout, then gives
 * up with a message naming the holder.
 */
public final class MetadataLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetadataLock.class);
    public static final String FILE = "lock";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Threads of this process, one lock per lock file. */
    private static final Map<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    /** The lock was not had within the timeout; the message names the holder. */
    public static final class Timeout extends IOException {
        Timeout(String message) {
            super(message);
        }
    }

    private final Path file;
    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock lock;

    private MetadataLock(Path file, ReentrantLock local, FileChannel channel, FileLock lock) {
        this.file = file;
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /** True when the calling thread holds the lock of the metadata directory {@code dir}. */
    static boolean heldByCurrentThread(Path dir) {
        ReentrantLock local = LOCAL.get(dir.resolve(FILE).toAbsolutePath().normalize());
        return local != null && local.isHeldByCurrentThread();
    }

    /** Takes the lock of the metadata directory {@code dir}, waiting at most {@code timeout}. */
    public static MetadataLock acquire(Path dir, Duration timeout) throws IOException {
        Path file = dir.resolve(FILE);
        long deadline = System.nanoTime() + timeout.toNanos();
        ReentrantLock local = LOCAL.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new ReentrantLock());
        try {
            if (!local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new Timeout("the metadata lock " + file + " stayed held by another task of this daemon for " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the metadata lock " + file, e);
        }
        try {
            return acquireFile(file, local, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), timeout);
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    private static MetadataLock acquireFile(Path file, ReentrantLock local, Duration remaining, Duration timeout) throws IOException {
        // Polls the OS lock; a metadata write is short, so the holder is usually done within a few ms.
        Backoff backoff = Backoff.of(remaining, Duration.ofMillis(1), Duration.ofMillis(50));
        while (true) {
            OwnedFiles.requirePlainOrMissing(file);
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            } catch (FileSystemException e) {
                // O_NOFOLLOW: a link put there since the look.
                throw new OwnedFiles.UnsafePathException("the metadata lock " + file + " could not be opened without "
                        + "following a link (" + e.getMessage() + ")");
            }
            boolean keep = false;
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    String previous = readHolder(channel);
                    if (!previous.isEmpty()) {
                        log.warn("took over the stale metadata lock {} left by {}: that holder ended without releasing it",
                                file, previous);
                    }
                    writeHolder(channel);
                    keep = true;
                    return new MetadataLock(file, local, channel, lock);
                }
                if (backoff.expired()) {
                    throw new Timeout("the metadata lock " + file + " stayed held for " + timeout.toMillis() + " ms by "
                            + describe(readHolder(channel)) + "; another corrald is writing there");
                }
            } finally {
                if (!keep) {
                    channel.close();
                }
            }
            backoff.pause();
        }
    }

    private static String readHolder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(512);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
    }

    private static void writeHolder(FileChannel channel) throws IOException {
        byte[] line = ("pid " + ProcessHandle.current().pid() + " on " + Holder.hostName() + " since " + Instant.now() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(line), 0);
    }

    private static String describe(String holder) {
        return holder.isEmpty() ? "an unknown holder" : holder;
    }

    /** Empties the lock file (nobody holds it), then drops the OS lock. */
    @Override
    public void close() {
        try {
            channel.truncate(0);
            channel.force(false);
        } catch (IOException e) {
            log.warn("could not clear the metadata lock file {}: {}", file, e.toString());
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            log.warn("could not release the metadata lock {}: {}", file, e.toString());
        } finally {
            local.unlock();
        }
    }
}
