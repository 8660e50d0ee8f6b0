package dev.corral.daemon.session;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.state.AtomicFiles;
import dev.corral.daemon.state.OwnedFiles;
import dev.corral.daemon.state.StrictJson;
import dev.corral.protocol.args.Required;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session registry on disk: one small JSON file per session in {@code STATE/sessions/},
 * replaced atomically at spawn and at the end, deleted when the session is forgotten. A restarted
 * daemon reads it to adopt tmux sessions and to mark PTY sessions that died with it as lost.
 */
final class SessionStore {
    private static final Logger log = LoggerFactory.getLogger(SessionStore.class);

    /** One session as it was last written. */
    record Entry(SessionSpec spec, String id, Instant createdAt, Session.State state, Integer exitCode, Instant endedAt,
            String agent, Long pid) {}

    /** The file's shape, field for field (times as ISO-8601 text, state as its enum name). */
    record Stored(@Required String name, @Required String id, @Required String kind, @Required List<String> command,
            String cwd, String workspace, Integer cols, Integer rows,
            @JsonInclude(JsonInclude.Include.NON_NULL) StoredContainer container, @Required String createdAt,
            String agent, String state, Integer exitCode, Long pid, String endedAt) {}

    /** A container session's image, memory limit and issue. */
    record StoredContainer(@Required String image, String memory, Integer issue) {}

    /** Reads records strictly: a file of another shape is set aside as unreadable, never half-used. */
    private static final ObjectMapper READER = StrictJson.mapper();

    /** Where records that are not corral's are moved. */
    static final String REJECTED = "rejected";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    private final Path dir;
    private final ObjectMapper mapper;

    SessionStore(Path dir, ObjectMapper mapper) {
        this.dir = dir;
        this.mapper = mapper;
    }

    /**
     * Synchronized so that the state read and the file written go together: the spawn's save and
     * the exit's save of a program that ends at once could otherwise land in the wrong order.
     * Answers a warning for the user when the record could not be written, else null.
     */
    synchronized String save(Session session) {
        Stored object = object(session);
        String name = session.spec().name();
        try {
            OwnedFiles.directory(dir);
            AtomicFiles.write(file(name), mapper.writeValueAsBytes(object));
            return null;
        } catch (IOException | RuntimeException e) {
            log.warn("could not record session {} in {}: {}; it will not be found again after a restart",
                    name, dir, e.toString());
            return "could not record session " + name + " in " + dir + " (" + e.getMessage()
                    + "); it will not be found again after a daemon restart";
        }
    }

    /** The session's record as JSON text: what a tmux session carries as its marker. */
    String record(Session session) {
        try {
            return mapper.writeValueAsString(object(session));
        } catch (IOException e) {
            throw new IllegalStateException("a session record did not serialize", e);
        }
    }

    /** A record carried by a tmux session (see {@link #record}). */
    Entry parseRecord(String json) throws IOException {
        return parse(READER.readValue(json, Stored.class));
    }

    private static Stored object(Session session) {
        SessionSpec spec = session.spec();
        SessionSpec.Container container = spec.container();
        long pid = session.pid();
        Instant ended = session.endedAt();
        return new Stored(spec.name(), session.id(), spec.kind().wire(), spec.command(), spec.cwd().toString(),
                spec.workspace() == null ? null : spec.workspace().toString(), spec.cols(), spec.rows(),
                container == null ? null : new StoredContainer(container.image(), container.memory(), container.issue()),
                session.createdAt().toString(), session.agent(), session.state().name(), session.exitCode(),
                pid > 0 ? pid : null, ended == null ? null : ended.toString());
    }

    /**
     * A PTY session's recent output, beside its record ({@code NAME.output}), so a daemon that
     * finds the session lost after a crash can still show what it last wrote.
     */
    void saveOutput(String name, byte[] output) {
        try {
            OwnedFiles.directory(dir);
            AtomicFiles.write(outputFile(name), output);
        } catch (IOException | RuntimeException e) {
            log.warn("could not keep the output of session {} in {}: {}", name, dir, e.toString());
        }
    }

    /** The output kept by {@link #saveOutput}, or null. */
    byte[] loadOutput(String name) {
        Path file = outputFile(name);
        try {
            OwnedFiles.requireDirectory(dir);
            return OwnedFiles.read(file, MAX_RECORD_BYTES);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            log.warn("could not read the kept output of session {}: {}", name, e.toString());
            return null;
        }
    }

    /** Deletes the record; answers a warning for the user when it could not be, else null. */
    String delete(String name) {
        try {
            OwnedFiles.requireDirectory(dir);
            Files.deleteIfExists(outputFile(name));
            Files.deleteIfExists(file(name));
            return null;
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete the record of session {}: {}", name, e.toString());
            return "could not delete the record of session " + name + " in " + dir + " (" + e.getMessage()
                    + "); it may be listed again after a daemon restart";
        }
    }

    /**
     * Every readable entry; a corrupt file is set aside with a warning, never fatal. A record whose
     * name or id is not one corral makes (a name like {@code ../../x} would be a path out of the
     * folder) is moved to {@code rejected/} with a warning and never used. A folder that is a
     * symlink, or not the daemon user's, is not read at all.
     */
    List<Entry> load() {
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return entries;
        }
        try {
            OwnedFiles.requireDirectory(dir);
        } catch (IOException e) {
            log.warn("session records not read: {}", e.getMessage());
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                Entry entry;
                try {
                    entry = parse(READER.readValue(OwnedFiles.read(file, MAX_RECORD_BYTES), Stored.class));
                } catch (IOException | RuntimeException e) {
                    Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
                    log.warn("session record {} is unreadable ({}); moved to {}", file, e.getMessage(), aside);
                    try {
                        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                    } catch (IOException moveFailed) {
                        log.warn("could not set {} aside: {}", file, moveFailed.toString());
                    }
                    continue;
                }
                String wrong = invalid(entry, file);
                if (wrong != null) {
                    reject(file, wrong);
                    continue;
                }
                entries.add(entry);
            }
        } catch (IOException e) {
            log.warn("could not read the session records in {}: {}", dir, e.toString());
        }
        return entries;
    }

    /** Why a parsed record cannot be used, or null. */
    private static String invalid(Entry entry, Path file) {
        String name = entry.spec().name();
        if (!SessionRegistry.validName(name)) {
            return "its name '" + name + "' is not a session name";
        }
        if (!file.getFileName().toString().equals(name + ".json")) {
            return "its name '" + name + "' is not its file's";
        }
        if (!ID.matcher(entry.id()).matches()) {
            return "its id '" + entry.id() + "' is not a session id";
        }
        if (!entry.spec().cwd().isAbsolute() || entry.spec().workspace() != null && !entry.spec().workspace().isAbsolute()) {
            return "its cwd or workspace is not an absolute path";
        }
        return null;
    }

    private void reject(Path file, String why) {
        Path rejected = dir.resolve(REJECTED);
        try {
            OwnedFiles.directory(rejected);
            Path aside = rejected.resolve(file.getFileName() + "-" + System.currentTimeMillis());
            Files.move(file, aside, LinkOption.NOFOLLOW_LINKS);
            log.warn("session record {} rejected: {}; moved to {} and not used", file, why, aside);
        } catch (IOException e) {
            log.warn("session record {} rejected: {}; ignored (could not move it aside: {})", file, why, e.toString());
        }
    }

    private static Entry parse(Stored stored) throws IOException {
        SessionSpec.Kind kind = SessionSpec.Kind.fromWire(stored.kind());
        if (kind == null) {
            throw new IOException("not a session record: kind '" + stored.kind() + "'");
        }
        SessionSpec.Container container = null;
        if (kind == SessionSpec.Kind.CONTAINER) {
            if (stored.container() == null) {
                throw new IOException("a container session record without its image");
            }
            container = new SessionSpec.Container(stored.container().image(), stored.container().memory(),
                    stored.container().issue());
        }
        SessionSpec spec = new SessionSpec(stored.name(), kind, stored.command(), Path.of(stored.cwd() == null ? "/" : stored.cwd()),
                Map.of(), stored.cols() == null ? 80 : stored.cols(), stored.rows() == null ? 24 : stored.rows(),
                stored.workspace() == null ? null : Path.of(stored.workspace()), container);
        try {
            return new Entry(spec, stored.id(), Instant.parse(stored.createdAt()),
                    Session.State.valueOf(stored.state() == null ? "RUNNING" : stored.state()), stored.exitCode(),
                    stored.endedAt() == null ? null : Instant.parse(stored.endedAt()), stored.agent(), stored.pid());
        } catch (java.time.format.DateTimeParseException | IllegalArgumentException e) {
            throw new IOException("not a session record: " + e.getMessage(), e);
        }
    }

    private Path file(String name) {
        if (!SessionRegistry.validName(name)) {
            throw new IllegalArgumentException("bug: '" + name + "' is not a session name, so not a record's file");
        }
        return dir.resolve(name + ".json");
    }

    private Path outputFile(String name) {
        return file(name).resolveSibling(name + ".output");
    }
}
