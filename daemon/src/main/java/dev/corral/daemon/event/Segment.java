package dev.corral.daemon.event;

import java.nio.file.Path;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file of the journal, {@code events-<first id>.jsonl}. Readers use path, firstId and
 * lastId; count and newest belong to the hub's thread. A segment found at start-up has its count
 * estimated from its ids (lines lost to damage are counted too): the bounds are kept a little early.
 */
final class Segment {
    private static final Pattern NAME = Pattern.compile("events-(\\d{20})\\.jsonl");

    final Path path;
    final long firstId;
    volatile long lastId;
    int count;
    /** The time of its newest event: it ages out with that. */
    Instant newest;

    Segment(Path path, long firstId, long lastId, int count, Instant newest) {
        this.path = path;
        this.firstId = firstId;
        this.lastId = lastId;
        this.count = count;
        this.newest = newest;
    }

    static String fileName(long firstId) {
        return String.format("events-%020d.jsonl", firstId);
    }

    /** The first id a segment file's name promises, or -1 when the name is not a segment's. */
    static long namedId(Path file) {
        Matcher matcher = NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }
}
