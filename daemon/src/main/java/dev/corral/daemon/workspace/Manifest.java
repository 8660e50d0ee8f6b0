package dev.corral.daemon.workspace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files of a workspace at one moment: for each file (by path relative to the root) its size,
 * modification time and kind, read without following links; {@code .git} and {@code .corral} are
 * left out. Directories are walked in parallel. Contents are hashed only where size and time
 * cannot be trusted: a file modified so recently before the capture that a later change could
 * keep its timestamp (as git treats "racily clean" files), and a file whose reference entry was
 * hashed for that reason.
 */
public final class Manifest {
    /** Names never walked into, at any depth: git's metadata and corral's own. */
    static final Set<String> LEFT_OUT = Set.of(".git", ".corral");
    private static final JsonFactory JSON = new JsonFactory();
    /** How much a capture walks at most; past any bound it gives up with {@link OverBound}. */
    public record Bounds(int maxFiles, int maxDepth, java.time.Duration maxTime) {
        public static Bounds defaults() {
            return new Bounds(200_000, 64, java.time.Duration.ofSeconds(10));
        }
    }

    /** The workspace is larger than the bounds: no manifest, and the message says which bound. */
    public static final class OverBound extends IOException {
        OverBound(String message) {
            super(message);
        }
    }

    /** One file as captured; {@code hash} is null unless the capture had to read the contents. */
    record Entry(long size, long mtimeNanos, boolean link, String hash) {
        boolean sameAs(Entry other) {
            if (link != other.link || size != other.size) {
                return false;
            }
            if (hash != null && other.hash != null) {
                return hash.equals(other.hash);
            }
            return mtimeNanos == other.mtimeNanos;
        }
    }

    private final Instant capturedAt;
    private final Map<String, Entry> files;
    private final int unreadable;
    /** Whether any entry carries a hash: when none does, a capture against this one looks nothing up. */
    private final boolean hashed;

    private Manifest(Instant capturedAt, Map<String, Entry> files, int unreadable) {
        this.capturedAt = capturedAt;
        this.files = files;
        this.unreadable = unreadable;
        this.hashed = files.values().stream().anyMatch(entry -> entry.hash() != null);
    }

    public Instant capturedAt() {
        return capturedAt;
    }

    public int size() {
        return files.size();
    }

    /** Directories and files that could not be read during the capture (left out of it). */
    public int unreadable() {
        return unreadable;
    }

    Map<String, Entry> files() {
        return Collections.unmodifiableMap(files);
    }

    public static Manifest capture(Path root) throws IOException {
        return capture(root, null, Bounds.defaults());
    }

    public static Manifest capture(Path root, Manifest reference) throws IOException {
        return capture(root, reference, Bounds.defaults());
    }

    /**
     * Captures {@code root}; {@code reference} (an earlier manifest of it, or null) says which
     * files must be hashed so that a diff against it can tell a real change from a touch.
     */
    public static Manifest capture(Path root, Manifest reference, Bounds bounds) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(root.toString(), null, "not a directory");
        }
        Instant started = Instant.now();
        ManifestWalk walk = new ManifestWalk(root, reference == null || !reference.hashed ? Map.of() : reference.files,
                started.getEpochSecond() * 1_000_000_000L + started.getNano(), bounds);
        Map<String, Entry> files = walk.run();
        return new Manifest(started, files, walk.unreadable());
    }

    /** What changed from this manifest to a later one. */
    public ManifestDiff diff(Manifest later) {
        List<String> added = new ArrayList<>();
        List<String> modified = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, Entry> file : later.files.entrySet()) {
            Entry before = files.get(file.getKey());
            if (before == null) {
                added.add(file.getKey());
            } else if (!before.sameAs(file.getValue())) {
                modified.add(file.getKey());
            }
        }
        for (String path : files.keySet()) {
            if (!later.files.containsKey(path)) {
                removed.add(path);
            }
        }
        Collections.sort(added);
        Collections.sort(modified);
        Collections.sort(removed);
        return new ManifestDiff(added, modified, removed);
    }

    /** The manifest as compact JSON: {@code {"capturedAt":..., "files":[[path, size, mtimeNanos, link, hash], ...]}}. */
    public byte[] toJson() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + files.size() * 64);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(json);
        }
        return out.toByteArray();
    }

    void write(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("capturedAt", capturedAt.toString());
        json.writeNumberField("unreadable", unreadable);
        json.writeArrayFieldStart("files");
        for (Map.Entry<String, Entry> file : files.entrySet()) {
            Entry entry = file.getValue();
            json.writeStartArray();
            json.writeString(file.getKey());
            json.writeNumber(entry.size());
            json.writeNumber(entry.mtimeNanos());
            json.writeBoolean(entry.link());
            if (entry.hash() == null) {
                json.writeNull();
            } else {
                json.writeString(entry.hash());
            }
            json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    public static Manifest fromJson(byte[] bytes) throws IOException {
        try (JsonParser json = JSON.createParser(bytes)) {
            return read(json);
        }
    }

    static Manifest read(JsonParser json) throws IOException {
        if (json.currentToken() == null) {
            json.nextToken();
        }
        expect(json, JsonToken.START_OBJECT);
        Instant captured = null;
        int unreadable = 0;
        Map<String, Entry> files = new HashMap<>();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            switch (field) {
                case "capturedAt" -> captured = Instant.parse(json.getText());
                case "unreadable" -> unreadable = json.getIntValue();
                case "files" -> {
                    expect(json, JsonToken.START_ARRAY);
                    while (json.nextToken() == JsonToken.START_ARRAY) {
                        json.nextToken();
                        String path = json.getText();
                        json.nextToken();
                        long size = json.getLongValue();
                        json.nextToken();
                        long mtime = json.getLongValue();
                        json.nextToken();
                        boolean link = json.getBooleanValue();
                        json.nextToken();
                        String hash = json.currentToken() == JsonToken.VALUE_NULL ? null : json.getText();
                        expect(json.nextToken(), JsonToken.END_ARRAY);
                        files.put(path, new Entry(size, mtime, link, hash));
                    }
                }
                default -> {
                    if (value.isStructStart()) {
                        json.skipChildren();
                    }
                }
            }
        }
        if (captured == null) {
            throw new IOException("not a manifest: no capturedAt");
        }
        return new Manifest(captured, files, unreadable);
    }

    private static void expect(JsonParser json, JsonToken token) throws IOException {
        expect(json.currentToken(), token);
    }

    private static void expect(JsonToken actual, JsonToken token) throws IOException {
        if (actual != token) {
            throw new IOException("not a manifest: expected " + token + " but found " + actual);
        }
    }
}
