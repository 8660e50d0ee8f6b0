package dev.corral.daemon.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.state.AtomicFiles;
import dev.corral.daemon.state.OwnedFiles;
import dev.corral.protocol.Events;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of this daemon and of earlier ones, kept so that a subscriber can resume from an id:
 * JSON lines (one event each, {@link Event#json}) in segment files {@code events-<first id>.jsonl}.
 * It is bounded by count and by age, a whole segment at a time: the oldest segment goes once the
 * others hold {@code maxEvents}, or once its newest event is older than {@code maxAge}. So it keeps
 * at least the newest {@code maxEvents} events that are not too old, and at most a segment
 * ({@code maxEvents / 4}) more.
 *
 * <p>Durability: each event is written to its file (to the OS) before anyone is sent it, so a
 * daemon that crashes or is killed loses nothing. The file is forced to the disk
 * {@link #SYNC_DELAY} after the first unforced write, at each new segment and at close, never on
 * the publishing path; a machine that crashes can lose up to that last second.
 *
 * <p>Start-up: every segment is read back. A torn last line (a write cut short) is cut off; a
 * line damaged anywhere else (or out of order) is skipped with a warning, and only its id counts
 * as missing; a segment that cannot be read, or whose ids do not follow the one before, is set
 * aside ({@code .corrupt-<millis>}). Ids continue after the newest one found, in what was set aside too, so an
 * id is never handed out twice (when every segment has aged out, {@code last-id} keeps the newest
 * one). A journal that cannot be used at all is logged and the daemon
 * runs without one: events are delivered live, and a resume reports them as missing.
 *
 * <p>Threads: {@link #append} and the deleting run on the hub's thread (also the scheduler given
 * here, for the timer that ages segments out); forcing to disk on a thread of the journal's own;
 * {@link #read} on any thread.
 */
final class EventJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventJournal.class);
    static final Duration SYNC_DELAY = Duration.ofSeconds(1);
    private static final Pattern NAME = Pattern.compile("events-(\\d{20})\\.jsonl");
    private static final int MAX_SEGMENT_EVENTS = 10_000;
    /** Written only when every segment aged out, so that ids still continue after a restart. */
    private static final String LAST_ID_FILE = "last-id";

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

    /** One file. Readers use path, firstId and lastId; the rest belongs to the hub's thread. */
    private static final class Segment {
        final Path path;
        final long firstId;
        volatile long lastId;
        int count;
        Instant newest;

        Segment(Path path, long firstId, long lastId, int count, Instant newest) {
            this.path = path;
            this.firstId = firstId;
            this.lastId = lastId;
            this.count = count;
            this.newest = newest;
        }
    }

    private final Path dir;
    private final ObjectMapper mapper;
    private final Limits limits;
    private final int segmentEvents;
    private final ScheduledExecutorService scheduler;
    /** Oldest first. Changed on the hub's thread under this lock; readers copy it under the lock. */
    private final List<Segment> segments = new ArrayList<>();
    private boolean usable;
    /** The newest segment's file; written on the hub's thread, forced by the syncer. */
    private volatile FileChannel out;
    private long lastId;
    /** Forces written events to the disk off the hub's thread: an fsync can take tens of milliseconds. */
    private final ScheduledThreadPoolExecutor syncer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread thread = new Thread(r, "corral-journal-sync");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean syncPending = new AtomicBoolean();
    private ScheduledFuture<?> pendingExpiry;
    private boolean writeFailing;

    private EventJournal(Path dir, ObjectMapper mapper, Limits limits, ScheduledExecutorService scheduler) {
        this.dir = dir;
        this.mapper = mapper;
        this.limits = limits;
        this.segmentEvents = Math.max(1, Math.min(MAX_SEGMENT_EVENTS, limits.maxEvents() / 4));
        this.scheduler = scheduler;
        // close() forces what is written itself; a sync still waiting would only delay it.
        syncer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Reads the journal in {@code dir} back (creating it when missing); never fails, see the class comment. */
    static EventJournal open(Path dir, ObjectMapper mapper, Limits limits, ScheduledExecutorService scheduler) {
        EventJournal journal = new EventJournal(dir, mapper, limits, scheduler);
        journal.recover();
        return journal;
    }

    /** The newest id ever handed out, as far as the journal knows (0 for a new journal). */
    long lastId() {
        return lastId;
    }

    synchronized int size() {
        return segments.stream().mapToInt(s -> s.count).sum();
    }

    /** The oldest id still held, or 0 when none is. */
    synchronized long oldestId() {
        return segments.stream().filter(s -> s.lastId >= s.firstId).mapToLong(s -> s.firstId).findFirst().orElse(0);
    }

    // ---- start-up

    private void recover() {
        try {
            OwnedFiles.directory(dir);
        } catch (IOException e) {
            log.warn("event journal unavailable: cannot use {} ({}); events are delivered live but not kept,"
                    + " so a resume cannot replay them", dir, e.toString());
            return;
        }
        usable = true;
        lastId = rememberedLastId();
        long newestGood = 0;
        for (Path file : segmentFiles()) {
            long named = Long.parseLong(nameMatcher(file).group(1));
            Scan scan;
            try {
                scan = scan(file);
            } catch (IOException e) {
                setAside(file, "unreadable: " + e.getMessage());
                continue;
            }
            lastId = Math.max(lastId, scan.highestId);
            if (scan.damage != null) {
                setAside(file, scan.damage);
                continue;
            }
            if (scan.count > 0 && (scan.firstId < named || scan.firstId <= newestGood)) {
                setAside(file, "its ids (" + scan.firstId + " to " + scan.lastId + ") do not follow the segment before it");
                continue;
            }
            if (scan.goodBytes < scan.size) {
                cutTornTail(file, scan);
            }
            if (scan.count == 0) {
                deleteQuietly(file);
                continue;
            }
            segments.add(new Segment(file, scan.firstId, scan.lastId, scan.count, scan.newest));
            newestGood = scan.lastId;
        }
        lastId = Math.max(lastId, newestGood);
        compact();
        Segment newest = newest();
        if (newest != null && newest.count < segmentEvents) {
            try {
                out = FileChannel.open(newest.path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                log.warn("cannot append to event journal segment {} ({}); a new segment is started", newest.path, e.toString());
            }
        }
        if (!segments.isEmpty()) {
            log.info("event journal: {} events, ids {} to {}, in {}", size(), oldestId(), newest.lastId, dir);
        }
    }

    private List<Path> segmentFiles() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir, "events-*.jsonl")) {
            for (Path file : listing) {
                if (nameMatcher(file).matches()) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            log.warn("cannot list the event journal in {} ({}); starting an empty one beside what is there", dir, e.toString());
        }
        files.sort(Comparator.comparing(f -> f.getFileName().toString()));
        return files;
    }

    private static Matcher nameMatcher(Path file) {
        Matcher matcher = NAME.matcher(file.getFileName().toString());
        matcher.matches();
        return matcher;
    }

    /** What a segment holds: its good events, where they end, and what is wrong after them. */
    private static final class Scan {
        long size;
        long goodBytes;
        int count;
        long firstId = -1;
        long lastId = -1;
        long highestId;
        Instant newest;
        String damage;
        /** Bad lines with good ones after them: skipped, here and by {@link #read}. */
        int lost;
    }

    /**
     * Reads a segment: its good lines; bad lines that are all at the end are a torn tail (cut off
     * later); a bad line with good ones after it (or an id out of order) loses that line only.
     */
    private Scan scan(Path file) throws IOException {
        OwnedFiles.requirePlainOrMissing(file);
        byte[] content = Files.readAllBytes(file);
        Scan scan = new Scan();
        scan.size = content.length;
        int bad = 0;
        int start = 0;
        for (int end; start < content.length; start = end + 1) {
            end = indexOf(content, (byte) '\n', start);
            boolean complete = end >= 0;
            if (!complete) {
                end = content.length;
            }
            Event event = null;
            if (complete) {
                try {
                    event = Event.parse(mapper, Arrays.copyOfRange(content, start, end));
                } catch (IOException | RuntimeException e) {
                    // counted as bad below
                }
            }
            if (event == null) {
                bad++;
                continue;
            }
            scan.highestId = Math.max(scan.highestId, event.id());
            if (event.id() <= scan.lastId) {
                bad++;
                continue;
            }
            scan.lost += bad;
            bad = 0;
            if (scan.count++ == 0) {
                scan.firstId = event.id();
            }
            scan.lastId = event.id();
            scan.newest = event.time();
            scan.goodBytes = end + 1L;
        }
        if (scan.lost > 0) {
            log.warn("event journal segment {} has {} damaged or out-of-order lines among its {} events; only those lines "
                    + "are lost", file.getFileName(), scan.lost, scan.count);
        }
        return scan;
    }

    private void cutTornTail(Path file, Scan scan) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(scan.goodBytes);
            channel.force(true);
            log.warn("event journal segment {} ended in a torn line (a write cut short); cut off {} bytes after event {}",
                    file.getFileName(), scan.size - scan.goodBytes, scan.lastId);
        } catch (IOException e) {
            setAside(file, "its torn last line could not be cut off: " + e.getMessage());
            scan.count = 0;
        }
    }

    private void setAside(Path file, String why) {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
        log.warn("event journal file {} is damaged ({}); moved to {}: what it held cannot be replayed", file, why, aside);
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("could not set {} aside ({}); it is left where it is and ignored", file, e.toString());
        }
    }

    // ---- the hub's thread

    /** Writes one event (ids ascending); a failure is logged, and the event is still delivered live. */
    void append(Event event) {
        lastId = event.id();
        if (!usable) {
            return;
        }
        long before = -1;
        try {
            Segment segment = newest();
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
        compact();
        Path file = dir.resolve(String.format("events-%020d.jsonl", first.id()));
        out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        Segment segment = new Segment(file, first.id(), first.id() - 1, 0, first.time());
        synchronized (this) {
            segments.add(segment);
        }
        AtomicFiles.forceDirectory(dir);
        scheduleExpiry();
        return segment;
    }

    private synchronized Segment newest() {
        return segments.isEmpty() ? null : segments.get(segments.size() - 1);
    }

    /** Deletes the oldest segments past the bounds, then sets one timer for when the next one ages out. */
    private void compact() {
        Instant horizon = Instant.now().minus(limits.maxAge());
        List<Segment> gone = new ArrayList<>();
        synchronized (this) {
            int total = segments.stream().mapToInt(s -> s.count).sum();
            while (!segments.isEmpty()) {
                Segment oldest = segments.get(0);
                boolean tooMany = total - oldest.count >= limits.maxEvents();
                boolean tooOld = oldest.newest.isBefore(horizon);
                if (!tooMany && !tooOld) {
                    break;
                }
                segments.remove(0);
                total -= oldest.count;
                gone.add(oldest);
            }
            if (segments.isEmpty() && out != null) {
                closeQuietly();
            }
        }
        if (!gone.isEmpty() && newest() == null) {
            rememberLastId();
        }
        for (Segment segment : gone) {
            deleteQuietly(segment.path);
        }
        scheduleExpiry();
    }

    /** Everything aged out: the newest id must outlive its segment, or the next daemon would hand it out again. */
    private void rememberLastId() {
        try {
            AtomicFiles.write(dir.resolve(LAST_ID_FILE), (lastId + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            log.warn("cannot record the newest event id {} in {} ({}); a restarted daemon may reuse ids", lastId, dir, e.toString());
        }
    }

    private long rememberedLastId() {
        Path file = dir.resolve(LAST_ID_FILE);
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            setAside(file, "not an event id: " + e.getMessage());
            return 0;
        }
    }

    private void scheduleExpiry() {
        Segment oldest;
        synchronized (this) {
            oldest = segments.isEmpty() ? null : segments.get(0);
        }
        if (pendingExpiry != null) {
            pendingExpiry.cancel(false);
            pendingExpiry = null;
        }
        if (oldest != null) {
            long delay = Math.max(0, Duration.between(Instant.now(), oldest.newest.plus(limits.maxAge())).toMillis()) + 1;
            pendingExpiry = schedule(this::compact, delay);
        }
    }

    private void scheduleSync() {
        if (syncPending.compareAndSet(false, true)) {
            try {
                syncer.schedule(this::sync, SYNC_DELAY.toMillis(), TimeUnit.MILLISECONDS);
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

    private void force(FileChannel channel) {
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

    private ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        try {
            return scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null; // stopping: close() forces what is written
        }
    }

    // ---- any thread

    /**
     * Events with ids after {@code afterId} up to {@code upToId} whose channel is wanted, at most
     * {@code max} of them; where ids are missing (aged out, set aside, never written) a gap with
     * reason expired stands in their place. {@link Chunk#through} is where the next read starts.
     */
    Chunk read(long afterId, long upToId, int max, Predicate<String> wanted) {
        List<Item> items = new ArrayList<>();
        List<Segment> snapshot;
        synchronized (this) {
            snapshot = List.copyOf(segments);
        }
        long expected = afterId + 1;
        int events = 0;
        scan:
        for (int s = 0; s < snapshot.size() && expected <= upToId; s++) {
            Segment segment = snapshot.get(s);
            if (segment.lastId < expected || s + 1 < snapshot.size() && snapshot.get(s + 1).firstId <= expected) {
                continue;
            }
            byte[] content;
            try {
                content = Files.readAllBytes(segment.path);
            } catch (NoSuchFileException e) {
                continue; // aged out while we read: its ids are missing
            } catch (IOException e) {
                log.warn("cannot read event journal segment {} ({}); its events are reported missing", segment.path, e.toString());
                continue;
            }
            for (int start = 0, end; (end = indexOf(content, (byte) '\n', start)) >= 0; start = end + 1) {
                long id = Event.leadingId(content, start, end - start);
                if (id < expected) {
                    continue;
                }
                if (id > upToId) {
                    break scan;
                }
                Event event;
                try {
                    event = Event.parse(mapper, Arrays.copyOfRange(content, start, end));
                } catch (IOException | RuntimeException e) {
                    continue; // unreadable: the next good line's gap covers it
                }
                if (id > expected) {
                    items.add(new Gap(id - expected, expected, id - 1, Events.REASON_EXPIRED));
                }
                expected = id + 1;
                if (wanted.test(event.channel())) {
                    items.add(event);
                    if (++events >= max && expected <= upToId) {
                        return new Chunk(items, id);
                    }
                }
            }
        }
        if (expected <= upToId) {
            items.add(new Gap(upToId - expected + 1, expected, upToId, Events.REASON_EXPIRED));
        }
        return new Chunk(items, upToId);
    }

    private static int indexOf(byte[] bytes, byte wanted, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private void closeQuietly() {
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

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot delete event journal segment {}: {}", file, e.toString());
        }
    }

    /** Forces what is written to the disk and closes the file. Call on the hub's thread, last. */
    @Override
    public void close() {
        if (pendingExpiry != null) {
            pendingExpiry.cancel(false);
        }
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
