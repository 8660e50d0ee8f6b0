package dev.corral.daemon.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.Events;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the journal's events back for a resume, on any thread, from a copy of the segment list. */
final class JournalReader {
    private static final Logger log = LoggerFactory.getLogger(JournalReader.class);

    private final Segments segments;
    private final ObjectMapper mapper;

    JournalReader(Segments segments, ObjectMapper mapper) {
        this.segments = segments;
        this.mapper = mapper;
    }

    /**
     * Events with ids after {@code afterId} up to {@code upToId} whose channel is wanted, at most
     * {@code max} of them; where ids are missing (aged out, set aside, damaged, never written) a gap
     * with reason expired stands in their place. {@link EventJournal.Chunk#through} is where the next read starts.
     */
    EventJournal.Chunk read(long afterId, long upToId, int max, Predicate<String> wanted) {
        List<Item> items = new ArrayList<>();
        List<Segment> snapshot = segments.snapshot();
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
                        return new EventJournal.Chunk(items, id);
                    }
                }
            }
        }
        if (expected <= upToId) {
            items.add(new Gap(upToId - expected + 1, expected, upToId, Events.REASON_EXPIRED));
        }
        return new EventJournal.Chunk(items, upToId);
    }

    private static int indexOf(byte[] bytes, byte wanted, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
