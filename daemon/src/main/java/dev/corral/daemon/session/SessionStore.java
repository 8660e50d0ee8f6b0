package dev.corral.daemon.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.state.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            String agent) {}

    private final Path dir;
    private final ObjectMapper mapper;

    SessionStore(Path dir, ObjectMapper mapper) {
        this.dir = dir;
        this.mapper = mapper;
    }

    /**
     * Synchronized so that the state read and the file written go together: the spawn's save and
     * the exit's save of a program that ends at once could otherwise land in the wrong order.
     */
    synchronized void save(Session session) {
        Map<String, Object> object = object(session);
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(file(session.spec().name()), mapper.writeValueAsBytes(object));
        } catch (IOException e) {
            log.warn("could not record session {} in {}: {}; it will not be found again after a restart",
                    session.spec().name(), dir, e.toString());
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
        return parse(mapper.readTree(json));
    }

    private Map<String, Object> object(Session session) {
        Map<String, Object> object = new LinkedHashMap<>();
        SessionSpec spec = session.spec();
        object.put("name", spec.name());
        object.put("id", session.id());
        object.put("kind", spec.kind().wire());
        object.put("command", spec.command());
        object.put("cwd", spec.cwd().toString());
        object.put("workspace", spec.workspace() == null ? null : spec.workspace().toString());
        object.put("cols", spec.cols());
        object.put("rows", spec.rows());
        object.put("workspace", spec.workspace() == null ? null : spec.workspace().toString());
        if (spec.container() != null) {
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("image", spec.container().image());
            container.put("memory", spec.container().memory());
            container.put("issue", spec.container().issue());
            object.put("container", container);
        }
        object.put("createdAt", session.createdAt().toString());
        object.put("agent", session.agent());
        object.put("state", session.state().name());
        object.put("exitCode", session.exitCode());
        Instant ended = session.endedAt();
        object.put("endedAt", ended == null ? null : ended.toString());
        return object;
    }

    void delete(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            log.warn("could not delete the record of session {}: {}", name, e.toString());
        }
    }

    /** Every readable entry; a corrupt file is set aside with a warning, never fatal. */
    List<Entry> load() {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                try {
                    entries.add(parse(mapper.readTree(file.toFile())));
                } catch (IOException | RuntimeException e) {
                    Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
                    log.warn("session record {} is unreadable ({}); moved to {}", file, e.getMessage(), aside);
                    try {
                        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                    } catch (IOException moveFailed) {
                        log.warn("could not set {} aside: {}", file, moveFailed.toString());
                    }
                }
            }
        } catch (IOException e) {
            log.warn("could not read the session records in {}: {}", dir, e.toString());
        }
        return entries;
    }

    private static Entry parse(JsonNode node) throws IOException {
        SessionSpec.Kind kind = SessionSpec.Kind.fromWire(node.path("kind").asText());
        if (kind == null || !node.path("name").isTextual() || !node.path("command").isArray()) {
            throw new IOException("not a session record");
        }
        List<String> command = new ArrayList<>();
        node.path("command").forEach(word -> command.add(word.asText()));
        Path workspace = node.path("workspace").isTextual() ? Path.of(node.path("workspace").asText()) : null;
        SessionSpec.Container container = null;
        if (kind == SessionSpec.Kind.CONTAINER) {
            JsonNode options = node.path("container");
            if (!options.path("image").isTextual()) {
                throw new IOException("a container session record without its image");
            }
            container = new SessionSpec.Container(options.path("image").asText(),
                    options.path("memory").isTextual() ? options.path("memory").asText() : null,
                    options.path("issue").isInt() ? options.path("issue").asInt() : null);
        }
        SessionSpec spec = new SessionSpec(node.path("name").asText(), kind, command, Path.of(node.path("cwd").asText("/")),
                Map.of(), node.path("cols").asInt(80), node.path("rows").asInt(24), workspace, container);
        Integer code = node.path("exitCode").isInt() ? node.path("exitCode").asInt() : null;
        Instant ended = node.path("endedAt").isTextual() ? Instant.parse(node.path("endedAt").asText()) : null;
        return new Entry(spec, node.path("id").asText(), Instant.parse(node.path("createdAt").asText()),
                Session.State.valueOf(node.path("state").asText("RUNNING")), code, ended,
                node.path("agent").isTextual() ? node.path("agent").asText() : null);
    }

    private Path file(String name) {
        return dir.resolve(name + ".json");
    }
}
