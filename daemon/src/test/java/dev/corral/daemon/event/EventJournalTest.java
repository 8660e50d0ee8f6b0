package dev.corral.daemon.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.Events;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal on a real directory: reading back, torn and damaged files, and its bounds. */
class EventJournalTest {
    private final ObjectMapper mapper = new ObjectMapper();
    /** The journal's own thread, as the hub gives it one: appends run there, like the hub's. */
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    private EventJournal open(int maxEvents, Duration maxAge) {
        return EventJournal.open(dir, mapper, new EventJournal.Limits(maxEvents, maxAge), thread);
    }

    private void append(EventJournal journal, long from, long to, String channel, Instant time) throws Exception {
        thread.submit(() -> {
            for (long id = from; id <= to; id++) {
                journal.append(Event.encode(mapper, id, channel, Events.SESSION_SPAWNED, time, Map.of("session", "s" + id)));
            }
        }).get();
    }

    private void close(EventJournal journal) throws Exception {
        thread.submit(journal::close).get();
    }

    private static List<Long> ids(EventJournal.Chunk chunk) {
        List<Long> ids = new ArrayList<>();
        for (Item item : chunk.items()) {
            if (item instanceof Event event) {
                ids.add(event.id());
            }
        }
        return ids;
    }

    private static List<Long> range(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            ids.add(id);
        }
        return ids;
    }

    private List<Path> files(String glob) throws IOException {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.filter(p -> dir.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName())).sorted().toList();
        }
    }

    @Test
    void readsBackInOrderByChannelAndInChunks() throws Exception {
        EventJournal journal = open(1000, Duration.ofDays(1));
        append(journal, 1, 10, Events.SESSIONS, Instant.now());
        append(journal, 11, 20, Events.AGENTS, Instant.now());
        assertEquals(20, journal.lastId());

        assertEquals(range(4, 20), ids(journal.read(3, 20, 100, c -> true)));
        assertEquals(range(11, 20), ids(journal.read(0, 20, 100, Events.AGENTS::equals)));
        EventJournal.Chunk first = journal.read(0, 20, 5, c -> true);
        assertEquals(range(1, 5), ids(first));
        assertEquals(5, first.through(), "the next read starts after the last event returned");
        assertEquals(range(6, 12), ids(journal.read(first.through(), 12, 100, c -> true)), "never beyond upTo");
        close(journal);

        EventJournal again = open(1000, Duration.ofDays(1));
        assertEquals(20, again.lastId(), "ids continue after a restart");
        append(again, 21, 21, Events.SESSIONS, Instant.now());
        assertEquals(range(1, 21), ids(again.read(0, 21, 100, c -> true)));
        close(again);
    }

    @Test
    void aTornLastLineIsCutOffAndIdsContinueAfterTheLastWholeEvent() throws Exception {
        EventJournal journal = open(1000, Duration.ofDays(1));
        append(journal, 1, 5, Events.SESSIONS, Instant.now());
        close(journal);
        Path segment = files("events-*.jsonl").get(0);
        long whole = Files.size(segment);
        Files.write(segment, "{\"id\":6,\"channel\":\"sess".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

        EventJournal recovered = open(1000, Duration.ofDays(1));
        assertEquals(5, recovered.lastId());
        assertEquals(whole, Files.size(segment), "the torn bytes are cut off, the whole lines kept");
        append(recovered, 6, 7, Events.SESSIONS, Instant.now());
        assertEquals(range(1, 7), ids(recovered.read(0, 7, 100, c -> true)));
        assertTrue(files("*.corrupt-*").isEmpty(), "a torn tail is not damage");
        close(recovered);
    }

    @Test
    void aDamagedLineLosesThatLineOnlyItsIdIsNeverHandedOutAgainAndReadsReportItMissing() throws Exception {
        EventJournal journal = open(8, Duration.ofDays(1)); // segments of 2 events
        append(journal, 1, 6, Events.SESSIONS, Instant.now());
        close(journal);
        List<Path> segments = files("events-*.jsonl");
        assertEquals(3, segments.size(), segments.toString());
        Path middle = segments.get(1);
        List<String> lines = Files.readAllLines(middle);
        Files.write(middle, List.of("garbage", lines.get(1)));

        EventJournal recovered = open(8, Duration.ofDays(1));
        assertEquals(6, recovered.lastId());
        assertTrue(files("*.corrupt-*").isEmpty(), "the segment is kept: only its damaged line is lost");
        EventJournal.Chunk all = recovered.read(0, 6, 100, c -> true);
        assertEquals(List.of(1L, 2L, 4L, 5L, 6L), ids(all));
        Gap gap = assertInstanceOf(Gap.class, all.items().get(2));
        assertEquals(new Gap(1, 3, 3, Events.REASON_EXPIRED), gap);
        close(recovered);

        // The damage is in the newest segment, and its highest id is still never reused.
        Path newest = files("events-*.jsonl").get(files("events-*.jsonl").size() - 1);
        Files.write(newest, List.of("{not json", Files.readAllLines(newest).get(1)));
        EventJournal again = open(8, Duration.ofDays(1));
        assertEquals(6, again.lastId());
        close(again);
    }

    @Test
    void keepsTheNewestEventsByCountAWholeSegmentAtATime() throws Exception {
        EventJournal journal = open(8, Duration.ofDays(1)); // segments of 2 events
        append(journal, 1, 31, Events.SESSIONS, Instant.now());
        int size = journal.size();
        assertTrue(size >= 8 && size <= 10, "holds at least 8 and at most a segment more, held " + size);
        assertEquals(31 - size + 1, journal.oldestId());
        assertTrue(files("events-*.jsonl").size() <= 5);

        EventJournal.Chunk all = journal.read(0, 31, 100, c -> true);
        assertEquals(new Gap(journal.oldestId() - 1, 1, journal.oldestId() - 1, Events.REASON_EXPIRED), all.items().get(0),
                "what aged out is reported, once, in its place");
        assertEquals(range(journal.oldestId(), 31), ids(all));
        close(journal);
    }

    @Test
    void dropsSegmentsOlderThanTheAgeAtStartUpAndWhenTheyExpire() throws Exception {
        EventJournal journal = open(1000, Duration.ofHours(1));
        append(journal, 1, 3, Events.SESSIONS, Instant.now().minus(Duration.ofHours(2)));
        close(journal);
        EventJournal reopened = open(1000, Duration.ofHours(1));
        assertEquals(0, reopened.size(), "events older than the age are gone at start-up");
        assertEquals(3, reopened.lastId(), "but their ids are still used up");
        append(reopened, 4, 4, Events.SESSIONS, Instant.now());
        assertEquals(List.of(4L), ids(reopened.read(3, 4, 100, c -> true)));
        close(reopened);
    }

    @Test
    void aReadAfterTheNewestReturnsNothingAndAFullyMissingRangeIsOneGap() throws Exception {
        EventJournal journal = open(1000, Duration.ofDays(1));
        assertEquals(List.of(), journal.read(0, 0, 100, c -> true).items());
        EventJournal.Chunk none = journal.read(10, 14, 100, c -> true);
        assertEquals(List.of(new Gap(4, 11, 14, Events.REASON_EXPIRED)), none.items());
        assertEquals(14, none.through());
        close(journal);
    }

    /** Counts the lines the journal parses. */
    private static final class CountingMapper extends ObjectMapper {
        final java.util.concurrent.atomic.AtomicInteger parsed = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public com.fasterxml.jackson.databind.JsonNode readTree(byte[] content) throws IOException {
            parsed.incrementAndGet();
            return super.readTree(content);
        }
    }

    @Test
    void opensWithoutReadingTheJournalWholeOnlyTheEndsOfEachSegment() throws Exception {
        EventJournal journal = open(40_000, Duration.ofDays(1)); // segments of 10000 events
        append(journal, 1, 25_000, Events.SESSIONS, Instant.now());
        close(journal);
        assertEquals(3, files("events-*.jsonl").size());

        CountingMapper counting = new CountingMapper();
        EventJournal reopened = EventJournal.open(dir, counting, new EventJournal.Limits(40_000, Duration.ofDays(1)), thread);
        assertTrue(counting.parsed.get() <= 3 * 2 + 2, "parsed " + counting.parsed.get() + " lines to open 25000 events");
        assertEquals(25_000, reopened.lastId());
        assertEquals(1, reopened.oldestId());
        assertEquals(25_000, reopened.size());
        append(reopened, 25_001, 25_001, Events.SESSIONS, Instant.now());
        assertEquals(range(24_990, 25_001), ids(reopened.read(24_989, 25_001, 100, c -> true)));
        close(reopened);
    }
}
