package dev.corral.daemon.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.state.OwnedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal found at start-up, without reading it whole: of each segment only its first good
 * line and its last good line are read (a few kilobytes from each end), so a daemon answers at
 * once however long the journal is. Bad lines at the end (a torn write) are cut off; a bad line
 * elsewhere is not looked for here, and a read skips it, reporting its id missing. A segment
 * that cannot be read, or whose ids do not follow the one before, is set aside
 * ({@code .corrupt-<millis>}).
 */
final class SegmentRecovery {
    private static final Logger log = LoggerFactory.getLogger(SegmentRecovery.class);
    /** Written only when every segment aged out, so that ids still continue after a restart. */
    static final String LAST_ID_FILE = "last-id";
    /** How much is read at a time from either end of a segment while looking for a good line. */
    private static final int CHUNK = 8192;
    /** At most this much of a segment's end is searched for its last good line; what is bad beyond is cut off. */
    private static final long MAX_TAIL_SEARCH = 1 << 20;

    private final Path dir;
    private final ObjectMapper mapper;

    /** What was found: the segments kept, and the newest id seen anywhere (set-aside files too). */
    record Found(List<Segment> segments, long lastId) {}

    SegmentRecovery(Path dir, ObjectMapper mapper) {
        this.dir = dir;
        this.mapper = mapper;
    }

    Found recover() {
        long lastId = rememberedLastId();
        long newestGood = 0;
        List<Segment> kept = new ArrayList<>();
        for (Path file : segmentFiles()) {
            long named = Segment.namedId(file);
            Segment segment;
            try {
                segment = look(file);
            } catch (IOException e) {
                setAside(file, "unreadable: " + e.getMessage());
                continue;
            }
            if (segment == null) {
                deleteQuietly(file);
                continue;
            }
            lastId = Math.max(lastId, segment.lastId);
            if (segment.firstId < named || segment.firstId <= newestGood || segment.lastId < segment.firstId) {
                setAside(file, "its ids (" + segment.firstId + " to " + segment.lastId + ") do not follow the segment before it");
                continue;
            }
            kept.add(segment);
            newestGood = segment.lastId;
        }
        return new Found(kept, Math.max(lastId, newestGood));
    }

    private List<Path> segmentFiles() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir, "events-*.jsonl")) {
            for (Path file : listing) {
                if (Segment.namedId(file) >= 0) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            log.warn("cannot list the event journal in {} ({}); starting an empty one beside what is there", dir, e.toString());
        }
        files.sort(Comparator.comparing(f -> f.getFileName().toString()));
        return files;
    }

    /** A segment from its first and last good lines, its torn tail cut off; null when it holds no good line. */
    private Segment look(Path file) throws IOException {
        OwnedFiles.requirePlainOrMissing(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            Located last = lastGood(channel, size);
            if (last == null) {
                return null;
            }
            Located first = firstGood(channel, last.end);
            if (last.end < size) {
                channel.truncate(last.end);
                channel.force(true);
                log.warn("event journal segment {} ended in a torn line (a write cut short); cut off {} bytes after event {}",
                        file.getFileName(), size - last.end, last.event.id());
            }
            long count = Math.max(1, last.event.id() - first.event.id() + 1);
            return new Segment(file, first.event.id(), last.event.id(), (int) Math.min(Integer.MAX_VALUE, count), last.event.time());
        }
    }

    /** A good line: its event and the offset just after its newline. */
    private record Located(Event event, long end) {}

    /** The first line that parses, reading forward from the start (never past {@code limit}). */
    private Located firstGood(FileChannel channel, long limit) throws IOException {
        ByteArray line = new ByteArray();
        long position = 0;
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        while (position < limit) {
            buffer.clear();
            int read = channel.read(buffer, position);
            if (read <= 0) {
                break;
            }
            for (int i = 0; i < read && position + i < limit; i++) {
                byte b = buffer.get(i);
                if (b != '\n') {
                    line.add(b);
                    continue;
                }
                Event event = parse(line.bytes());
                if (event != null) {
                    return new Located(event, position + i + 1);
                }
                line.clear();
            }
            position += read;
        }
        throw new IOException("no good line before its last good one");
    }

    /** The last whole line that parses, reading backward from the end; null when none does. */
    private Located lastGood(FileChannel channel, long size) throws IOException {
        long floor = Math.max(0, size - MAX_TAIL_SEARCH);
        // Lines are found between newlines; lineEnd is the offset of the newline ending the line being gathered.
        long lineEnd = -1;
        ByteArray reversed = new ByteArray();
        long position = size;
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        while (position > floor) {
            int length = (int) Math.min(CHUNK, position - floor);
            position -= length;
            buffer.clear().limit(length);
            while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) > 0) {
                // until the chunk is full
            }
            for (int i = length - 1; i >= 0; i--) {
                byte b = buffer.get(i);
                if (b != '\n') {
                    if (lineEnd >= 0) {
                        reversed.add(b);
                    }
                    continue;
                }
                if (lineEnd >= 0) {
                    Event event = parse(reversed.reversedBytes());
                    if (event != null) {
                        return new Located(event, lineEnd + 1);
                    }
                }
                reversed.clear();
                lineEnd = position + i;
            }
        }
        if (floor > 0) {
            throw new IOException("no good line in its last " + MAX_TAIL_SEARCH + " bytes");
        }
        if (lineEnd >= 0) {
            Event event = parse(reversed.reversedBytes());
            if (event != null) {
                return new Located(event, lineEnd + 1);
            }
        }
        return null;
    }

    private Event parse(byte[] line) {
        try {
            return Event.parse(mapper, line);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A growing byte array for one line. */
    private static final class ByteArray {
        private byte[] bytes = new byte[256];
        private int length;

        void add(byte b) {
            if (length == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, length * 2);
            }
            bytes[length++] = b;
        }

        void clear() {
            length = 0;
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(bytes, length);
        }

        byte[] reversedBytes() {
            byte[] out = new byte[length];
            for (int i = 0; i < length; i++) {
                out[i] = bytes[length - 1 - i];
            }
            return out;
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

    private static void setAside(Path file, String why) {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
        log.warn("event journal file {} is damaged ({}); moved to {}: what it held cannot be replayed", file, why, aside);
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("could not set {} aside ({}); it is left where it is and ignored", file, e.toString());
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot delete event journal segment {}: {}", file, e.toString());
        }
    }
}
