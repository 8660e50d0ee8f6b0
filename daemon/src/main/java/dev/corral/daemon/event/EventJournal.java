package dev.corral.daemon.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.state.OwnedFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of this daemon and of earlier ones, kept so that a subscriber can resume from an id:
 * JSON lines (one event each, {@link Event#json}) in segment files {@code events-<first id>.jsonl}.
 * It is bounded by count and by age, a whole segment at a time ({@link Retention}): it keeps at
 * least the newest {@code maxEvents} events that are not too old, and at most a segment
 * ({@code maxEvents / 4}) more.
 *
 * <p>The rooms: {@link SegmentRecovery} finds the journal at start-up without reading it whole;
 * {@link JournalWriter} appends, rotates and forces to disk (a machine that crashes can lose up to
 * the last {@link #SYNC_DELAY}; a daemon that crashes loses nothing); {@link Retention} deletes
 * what is past the bounds; {@link JournalReader} reads back. Ids continue after the newest one
 * found, in what was set aside too, so an id is never handed out twice (when every segment has
 * aged out, {@code last-id} keeps the newest one). A journal that cannot be used at all is logged
 * and the daemon runs without one: events are delivered live, and a resume reports them missing.
 *
 * <p>Threads: {@link #append} and the deleting run on the hub's thread (also the scheduler given
 * here, for the timer that ages segments out); forcing to disk on a thread of the journal's own;
 * {@link #read} on any thread.
 */
final class EventJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventJournal.class);
    static final Duration SYNC_DELAY = Duration.ofSeconds(1);
    private static final int MAX_SEGMENT_EVENTS = 10_000;

    /** How much is kept: the newest {@code maxEvents}, none older than {@code maxAge}. */
    record Limits(int maxEvents, Duration maxAge) {
        Limits {
            if (maxEvents < 1 || maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("a journal keeps at least one event for some time");
            }
        }
    }

    /** A read: events (and gaps where ids are missing) in id order, and the id it has read through. */
    record Chunk(List<Item> items, long through) {}

    private final Segments segments = new Segments();
    private final JournalReader reader;
    private final Retention retention;
    private final JournalWriter writer;
    private final boolean usable;
    /** The newest id handed out; written on the hub's thread. */
    private volatile long lastId;

    private EventJournal(Path dir, ObjectMapper mapper, Limits limits, ScheduledExecutorService scheduler, Clock clock) {
        boolean ready;
        try {
            OwnedFiles.directory(dir);
            ready = true;
        } catch (IOException e) {
            log.warn("event journal unavailable: cannot use {} ({}); events are delivered live but not kept,"
                    + " so a resume cannot replay them", dir, e.toString());
            ready = false;
        }
        this.usable = ready;
        if (ready) {
            SegmentRecovery.Found found = new SegmentRecovery(dir, mapper).recover();
            found.segments().forEach(segments::add);
            lastId = found.lastId();
        }
        int segmentEvents = Math.max(1, Math.min(MAX_SEGMENT_EVENTS, limits.maxEvents() / 4));
        this.reader = new JournalReader(segments, mapper);
        this.retention = new Retention(dir, segments, limits, scheduler, clock, () -> lastId, this::letGo);
        this.writer = new JournalWriter(dir, segments, segmentEvents, retention);
        if (ready) {
            retention.compact();
            writer.resume();
            if (!segments.isEmpty()) {
                log.info("event journal: about {} events, ids {} to {}, in {}", size(), oldestId(), segments.newest().lastId, dir);
            }
        }
    }

    private void letGo() {
        writer.closeQuietly();
    }

    /** Finds the journal in {@code dir} (creating it when missing); never fails, see the class comment. */
    static EventJournal open(Path dir, ObjectMapper mapper, Limits limits, ScheduledExecutorService scheduler) {
        return new EventJournal(dir, mapper, limits, scheduler, Clock.systemUTC());
    }

    /** The newest id ever handed out, as far as the journal knows (0 for a new journal). */
    long lastId() {
        return lastId;
    }

    /** Events held (for segments found at start-up, estimated from their ids). */
    int size() {
        return segments.events();
    }

    /** The oldest id still held, or 0 when none is. */
    long oldestId() {
        return segments.oldestId();
    }

    /** Writes one event (ids ascending), on the hub's thread; a failure is logged, and the event is still delivered live. */
    void append(Event event) {
        lastId = event.id();
        if (usable) {
            writer.append(event);
        }
    }

    /** See {@link JournalReader#read}. */
    Chunk read(long afterId, long upToId, int max, Predicate<String> wanted) {
        return reader.read(afterId, upToId, max, wanted);
    }

    /** Forces what is written to the disk and closes the file. Call on the hub's thread, last. */
    @Override
    public void close() {
        retention.cancel();
        writer.close();
    }
}
