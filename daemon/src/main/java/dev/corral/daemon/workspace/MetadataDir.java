package dev.corral.daemon.workspace;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.state.AtomicFiles;
import dev.corral.daemon.state.OwnedFiles;
import dev.corral.daemon.state.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workspace's {@code .corral/} folder and what corral keeps in it:
 *
 * <pre>
 * lock                  the metadata lock ({@link MetadataLock})
 * lease.json            the lease ({@link Lease})
 * last-session.json     the last session's summary, shown at the next spawn
 * sessions.log          one JSON line per ended session, newest last
 * manifest-last.json    the files as the last session left them (for the stale-workspace check)
 * sessions/ID.json      a running session's start record, and ID.manifest.json its start manifest
 * .gitignore            "*", so that git leaves the folder alone
 * </pre>
 *
 * Reads need no lock (every file is replaced whole, atomically); every write happens under the
 * metadata lock, and a write without it is a bug. Nothing here is read or written through a
 * symlink ({@link OwnedFiles}).
 */
final class MetadataDir {
    static final String NAME = ".corral";
    /** Lines kept in sessions.log. */
    private static final int LOG_LINES = 1000;
    private static final ObjectMapper STRICT = StrictJson.mapper();
    /** The largest file read back (a manifest of a big workspace is the largest). */
    private static final int MAX_READ = 256 * 1024 * 1024;
    static final String SESSIONS = "sessions";
    /** The files corral keeps directly in the folder. */
    static final List<String> FILES = List.of(MetadataLock.FILE, "lease.json", "last-session.json", "sessions.log",
            "manifest-last.json", ".gitignore");
    private static final String GITIGNORE = "# corral's workspace metadata\n*\n";

    private final Path root;
    private final Path dir;
    private final ObjectMapper mapper;
    private final Duration lockTimeout;

    MetadataDir(Path root, ObjectMapper mapper, Duration lockTimeout) {
        this.root = root;
        this.dir = root.resolve(NAME);
        this.mapper = mapper;
        this.lockTimeout = lockTimeout;
    }

    Path root() {
        return root;
    }

    /** The {@code .corral} folder itself. */
    Path dir() {
        return dir;
    }

    /**
     * Refuses a metadata folder that corral could be led out of: {@code .corral} or any file or
     * folder of its own in it being a symlink, not of its kind, or another user's. Nothing there
     * yet is fine.
     */
    void check() throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        OwnedFiles.requireDirectory(dir);
        for (String file : FILES) {
            OwnedFiles.requirePlainOrMissing(dir.resolve(file));
        }
        Path sessions = dir.resolve(SESSIONS);
        if (Files.exists(sessions, LinkOption.NOFOLLOW_LINKS)) {
            OwnedFiles.requireDirectory(sessions);
        }
    }

    /**
     * Creates the folder when missing and takes its lock; a link planted there (the folder, the
     * lock, the .gitignore) is refused. A .gitignore that does not ignore everything is replaced
     * by corral's, so that nothing corral writes here can be committed.
     */
    MetadataLock lock() throws IOException {
        OwnedFiles.directory(dir);
        MetadataLock lock = MetadataLock.acquire(dir, lockTimeout);
        try {
            Path ignore = dir.resolve(".gitignore");
            OwnedFiles.requirePlainOrMissing(ignore);
            if (!Files.exists(ignore, LinkOption.NOFOLLOW_LINKS)
                    || new String(OwnedFiles.read(ignore, MAX_READ), StandardCharsets.UTF_8).lines().noneMatch("*"::equals)) {
                AtomicFiles.write(ignore, GITIGNORE.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        return lock;
    }

    private void write(Path file, byte[] content) throws IOException {
        if (!MetadataLock.heldByCurrentThread(dir)) {
            throw new IllegalStateException("bug: a write to " + file + " without the metadata lock");
        }
        OwnedFiles.directory(file.getParent());
        AtomicFiles.write(file, content);
    }

    private void delete(Path file) throws IOException {
        if (!MetadataLock.heldByCurrentThread(dir)) {
            throw new IllegalStateException("bug: deleting " + file + " without the metadata lock");
        }
        try {
            OwnedFiles.requireDirectory(file.getParent());
        } catch (NoSuchFileException e) {
            return;
        }
        Files.deleteIfExists(file);
    }

    private Optional<byte[]> read(Path file) throws IOException {
        try {
            OwnedFiles.requireDirectory(file.getParent());
            return Optional.of(OwnedFiles.read(file, MAX_READ));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    // The lease.

    /** The lease, if any; an unreadable one is an IOException (callers treat it as stale). */
    Optional<Lease> lease() throws IOException {
        Optional<byte[]> bytes = read(dir.resolve("lease.json"));
        return bytes.isEmpty() ? Optional.empty() : Optional.of(Lease.fromJson(mapper.readTree(bytes.get())));
    }

    void writeLease(Lease lease) throws IOException {
        write(dir.resolve("lease.json"), mapper.writeValueAsBytes(lease.toJson()));
    }

    void deleteLease() throws IOException {
        delete(dir.resolve("lease.json"));
    }

    // The last session and the session log.

    Optional<Map<String, Object>> lastSession() {
        try {
            Optional<byte[]> bytes = read(dir.resolve("last-session.json"));
            return bytes.isEmpty() ? Optional.empty() : Optional.of(SessionSummary.parse(mapper, bytes.get()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void writeLastSession(Map<String, Object> summary) throws IOException {
        write(dir.resolve("last-session.json"), mapper.writeValueAsBytes(summary));
    }

    /** Appends a line by replacing the whole log atomically, keeping the newest {@link #LOG_LINES}. */
    void appendLog(Map<String, Object> entry) throws IOException {
        Path log = dir.resolve("sessions.log");
        List<String> lines = new ArrayList<>();
        Optional<byte[]> old = read(log);
        if (old.isPresent()) {
            new String(old.get(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).forEach(lines::add);
        }
        lines.add(mapper.writeValueAsString(entry));
        List<String> kept = lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size());
        write(log, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    // Manifests and start records.

    Optional<Manifest> lastManifest() {
        return manifest(dir.resolve("manifest-last.json"));
    }

    void writeLastManifest(Manifest manifest) throws IOException {
        write(dir.resolve("manifest-last.json"), manifest.toJson());
    }

    Optional<Manifest> startManifest(String sessionId) {
        return manifest(dir.resolve(SESSIONS).resolve(sessionId + ".manifest.json"));
    }

    /** The session's start record, bound strictly by type; an unreadable one is as good as none. */
    Optional<WorkspaceClaim.StartRecord> startRecord(String sessionId) {
        try {
            Optional<byte[]> bytes = read(dir.resolve(SESSIONS).resolve(sessionId + ".json"));
            return bytes.isEmpty() ? Optional.empty() : Optional.of(STRICT.readValue(bytes.get(), WorkspaceClaim.StartRecord.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void writeStart(String sessionId, WorkspaceClaim.StartRecord record, Manifest manifest) throws IOException {
        if (manifest != null) {
            write(dir.resolve(SESSIONS).resolve(sessionId + ".manifest.json"), manifest.toJson());
        }
        write(dir.resolve(SESSIONS).resolve(sessionId + ".json"), mapper.writeValueAsBytes(record));
    }

    void deleteStart(String sessionId) throws IOException {
        delete(dir.resolve(SESSIONS).resolve(sessionId + ".json"));
        delete(dir.resolve(SESSIONS).resolve(sessionId + ".manifest.json"));
    }

    private Optional<Manifest> manifest(Path file) {
        try {
            Optional<byte[]> bytes = read(file);
            return bytes.isEmpty() ? Optional.empty() : Optional.of(Manifest.fromJson(bytes.get()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
