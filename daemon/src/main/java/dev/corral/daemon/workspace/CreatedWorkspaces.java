package dev.corral.daemon.workspace;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.state.OwnedFiles;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The removal of a workspace directory a spawn created: never a parent, never a directory with
 * anything in it but this claim's own metadata, never one another live session works in.
 */
final class CreatedWorkspaces {
    private final KnownWorkspaces known;
    /** Every session of the daemon that may still run, by id: a workspace is never removed under one of them. */
    private final Map<String, Session> places = new ConcurrentHashMap<>();

    CreatedWorkspaces(KnownWorkspaces known) {
        this.known = known;
    }

    void place(Session session) {
        places.put(session.id(), session);
    }

    void unplace(Session session) {
        places.remove(session.id(), session);
    }

    /**
     * Removes the workspace directory a spawn created (never a parent), under its metadata lock,
     * only when it is a real directory that holds nothing but {@code .corral/} with this claim's own
     * files in it (its lease, its start record, the lock and .gitignore), no other lease, and no
     * other live session works in it or below it. Answers why it was kept, or null once removed.
     */
    String removeCreated(MetadataDir meta, String token, String sessionId) {
        Path root = meta.root();
        String user = sessionIn(root, sessionId);
        if (user != null) {
            return "session " + user + " works in it";
        }
        try (MetadataLock lock = meta.lock()) {
            if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                return "it is no longer a real directory";
            }
            List<Path> own = new ArrayList<>();
            String foreign = onlyOwn(meta, token, sessionId, own);
            if (foreign != null) {
                return foreign;
            }
            // Innermost first; deleting a directory that gained an entry meanwhile fails, and the rest is kept.
            for (Path path : own) {
                Files.deleteIfExists(path);
            }
            Files.delete(meta.dir());
            Files.delete(root);
        } catch (DirectoryNotEmptyException e) {
            return e.getFile() + " was given something else meanwhile";
        } catch (IOException e) {
            return e.getMessage();
        }
        known.remove(root);
        return null;
    }

    /** Why the workspace holds more than this claim's own metadata, or null; {@code own} gets those files, innermost first. */
    private static String onlyOwn(MetadataDir meta, String token, String sessionId, List<Path> own) throws IOException {
        Path root = meta.root();
        try (var entries = Files.list(root)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals(MetadataDir.NAME)).toList();
            if (!names.isEmpty()) {
                return "it holds " + names.get(0) + (names.size() > 1 ? " and " + (names.size() - 1) + " more" : "");
            }
        }
        Lease lease;
        try {
            lease = meta.lease().orElse(null);
        } catch (IOException e) {
            return "its lease file is unreadable (" + e.getMessage() + ")";
        }
        if (lease != null && !lease.token().equals(token)) {
            return "another lease is in it (" + lease.describeHolder(Instant.now()) + ")";
        }
        Set<String> allowed = Set.of(MetadataLock.FILE, "lease.json", ".gitignore", MetadataDir.SESSIONS);
        Set<String> records = sessionId == null ? Set.of() : Set.of(sessionId + ".json", sessionId + ".manifest.json");
        Path sessions = meta.dir().resolve(MetadataDir.SESSIONS);
        try (var entries = Files.list(meta.dir())) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!allowed.contains(name)) {
                    return MetadataDir.NAME + "/" + name + " is in it";
                }
                if (!name.equals(MetadataDir.SESSIONS)) {
                    OwnedFiles.requirePlainOrMissing(entry);
                    own.add(entry);
                }
            }
        }
        if (Files.exists(sessions, LinkOption.NOFOLLOW_LINKS)) {
            OwnedFiles.requireDirectory(sessions);
            List<Path> inside = new ArrayList<>();
            try (var entries = Files.list(sessions)) {
                for (Path entry : entries.toList()) {
                    if (!records.contains(entry.getFileName().toString())) {
                        return MetadataDir.NAME + "/" + MetadataDir.SESSIONS + "/" + entry.getFileName() + " is in it";
                    }
                    OwnedFiles.requirePlainOrMissing(entry);
                    inside.add(entry);
                }
            }
            inside.add(sessions);
            own.addAll(0, inside);
        }
        return null;
    }

    /** A live session other than {@code except} whose workspace or working directory is {@code root} or inside it, or null. */
    private String sessionIn(Path root, String except) {
        for (Map.Entry<String, Session> live : places.entrySet()) {
            Session other = live.getValue();
            if (live.getKey().equals(except) || !other.running()) {
                continue;
            }
            Path workspace = other.spec().workspace();
            if (other.spec().cwd().startsWith(root) || workspace != null && workspace.startsWith(root)) {
                return "'" + other.name() + "'";
            }
        }
        return null;
    }
}
