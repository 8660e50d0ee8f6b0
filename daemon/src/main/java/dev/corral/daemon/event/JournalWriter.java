package dev.corral.daemon.event;

import dev.corral.daemon.concurrent.WorkerPool;
import dev.corral.daemon.state.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends events to the newest segment and starts a new one every {@code segmentEvents}, on the
 * hub's thread. Each event reaches the OS before anyone is sent it; the file is forced to the disk
 * {@link EventJournal#SYNC_DELAY} after the first unforced write, at each new segment and at close,
 * on a thread of its own ({@code corral-journal-sync}), since an fsync can take tens of milliseconds.
 */
final class JournalWriter {
    private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);

    private final Path dir;
    private final Segments segments;
    private final int segmentEvents;
    private final Retention retention;
    /** The newest segment's file; written on the hub's thread, forced by the syncer. */
    private volatile FileChannel out;
    private final ScheduledThreadPoolExecutor syncer = new ScheduledThreadPoolExecutor(1, WorkerPool.named("corral-journal-sync"));
    private final AtomicBoolean syncPending = new AtomicBoolean();
    private boolean writeFailing;

    JournalWriter(Path dir, Segments segments, int segmentEvents, Retention retention) {
        this.dir = dir;
        this.segments = segments;
        this.segmentEvents = segmentEvents;
        this.retention = retention;
        // close() forces what is written itself; a sync still waiting would only delay it.
        syncer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Goes on appending to the newest segment found at start-up, unless it is full. */
    void resume() {
        Segment newest = segments.newest();
        if (newest != null && newest.count < segmentEvents) {
            try {
                out = FileChannel.open(newest.path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                log.warn("cannot append to event journal segment {} ({}); a new segment is started", newest.path, e.toString());
            }
        }
    }

    /** Writes one event (ids ascending); a failure is logged, and the event is still delivered live. */
    void append(Event event) {
        long before = -1;
        try {
            Segment segment = segments.newest();
            if (out == null || segment == null || segment.count >= segmentEvents) {
                segment = rotate(event);
            }
            before = out.size();
            byte[] json = event.json();
            ByteBuffer line = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
            while (line.hasRemaining()) {
                out.write(line);
            }
            segment.count++;
            segment.newest = event.time();
            segment.lastId = event.id();
            if (writeFailing) {
                log.info("event journal writes work again (event {})", event.id());
                writeFailing = false;
            }
            scheduleSync();
        } catch (IOException e) {
            if (!writeFailing) {
                log.warn("cannot write event {} to the journal in {} ({}); it is delivered live but cannot be replayed",
                        event.id(), dir, e.toString());
                writeFailing = true;
            }
            abandonPartialLine(before);
        }
    }

    /** A line half written would damage the segment: cut it off, or else start a new segment next time. */
    private void abandonPartialLine(long before) {
        try {
            if (out != null && before >= 0) {
                out.truncate(before);
                return;
            }
        } catch (IOException e) {
            // closed below
        }
        closeQuietly();
    }

    private Segment rotate(Event first) throws IOException {
        FileChannel previous = out;
        if (previous != null) {
            out = null;
            // Its last events reach the disk before it is closed, on the syncer's thread.
            runOnSyncer(() -> {
                force(previous);
                closeQuietly(previous);
            });
        }
        retention.compact();
        Path file = dir.resolve(Segment.fileName(first.id()));
        out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        Segment segment = new Segment(file, first.id(), first.id() - 1, 0, first.time());
        segments.add(segment);
        AtomicFiles.forceDirectory(dir);
        retention.scheduleExpiry();
        return segment;
    }

    private void scheduleSync() {
        if (syncPending.compareAndSet(false, true)) {
            try {
                syncer.schedule(this::sync, EventJournal.SYNC_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                syncPending.set(false); // closing: close() forces what is written
            }
        }
    }

    private void sync() {
        syncPending.set(false);
        FileChannel current = out;
        if (current != null) {
            force(current);
        }
    }

    private static void force(FileChannel channel) {
        try {
            channel.force(false);
        } catch (ClosedChannelException e) {
            // rotated or closed meanwhile: whoever closed it forced it first
        } catch (IOException e) {
            log.warn("cannot force the event journal to disk: {}", e.toString());
        }
    }

    private void runOnSyncer(Runnable task) {
        try {
            syncer.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Lets go of the newest file (every segment aged out); the next event starts a new one. */
    void closeQuietly() {
        FileChannel current = out;
        out = null;
        if (current != null) {
            closeQuietly(current);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing the event journal: {}", e.toString());
        }
    }

    /** Forces what is written to the disk and closes the file. */
    void close() {
        syncer.shutdown();
        try {
            syncer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FileChannel current = out;
        if (current != null) {
            force(current);
        }
        closeQuietly();
    }
}
