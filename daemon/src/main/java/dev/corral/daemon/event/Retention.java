package dev.corral.daemon.event;

import dev.corral.daemon.state.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's bounds, a whole segment at a time: the oldest segment goes once the others hold
 * {@code maxEvents}, or once its newest event is older than {@code maxAge}; one timer waits for
 * the next segment to age out. Runs on the hub's thread (the scheduler given here).
 */
final class Retention {
    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private final Path dir;
    private final Segments segments;
    private final EventJournal.Limits limits;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    /** The newest id handed out, recorded when every segment is gone. */
    private final LongSupplier lastId;
    /** Told when every segment is gone, so that the writer lets go of the deleted file. */
    private final Runnable allGone;
    private ScheduledFuture<?> pendingExpiry;

    Retention(Path dir, Segments segments, EventJournal.Limits limits, ScheduledExecutorService scheduler, Clock clock,
            LongSupplier lastId, Runnable allGone) {
        this.dir = dir;
        this.segments = segments;
        this.limits = limits;
        this.scheduler = scheduler;
        this.clock = clock;
        this.lastId = lastId;
        this.allGone = allGone;
    }

    /** Deletes the oldest segments past the bounds, then sets one timer for when the next one ages out. */
    void compact() {
        Instant horizon = clock.instant().minus(limits.maxAge());
        List<Segment> gone = segments.dropOldestWhile(oldest ->
                segments.events() - oldest.count >= limits.maxEvents() || oldest.newest.isBefore(horizon));
        if (!gone.isEmpty() && segments.isEmpty()) {
            allGone.run();
            rememberLastId();
        }
        for (Segment segment : gone) {
            SegmentRecovery.deleteQuietly(segment.path);
        }
        scheduleExpiry();
    }

    /** Everything aged out: the newest id must outlive its segment, or the next daemon would hand it out again. */
    private void rememberLastId() {
        long id = lastId.getAsLong();
        try {
            AtomicFiles.write(dir.resolve(SegmentRecovery.LAST_ID_FILE), (id + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            log.warn("cannot record the newest event id {} in {} ({}); a restarted daemon may reuse ids", id, dir, e.toString());
        }
    }

    void scheduleExpiry() {
        Segment oldest = segments.oldest();
        cancel();
        if (oldest != null) {
            long delay = Math.max(0, Duration.between(clock.instant(), oldest.newest.plus(limits.maxAge())).toMillis()) + 1;
            try {
                pendingExpiry = scheduler.schedule(this::compact, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping: nothing ages out any more
            }
        }
    }

    void cancel() {
        if (pendingExpiry != null) {
            pendingExpiry.cancel(false);
            pendingExpiry = null;
        }
    }
}
