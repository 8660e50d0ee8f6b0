package dev.corral.daemon.workspace;

import dev.corral.daemon.session.Session;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One session's life in a workspace, from the spawn's checks to the end-of-session writes: the
 * claim (its token, and whether it holds the lease), the start manifest, and whether this spawn
 * created the workspace. Its start record in {@code .corral/sessions/} lets a restarted daemon
 * carry on with a session it adopts.
 */
public final class Launch {
    private final MetadataDir meta;
    private final Path launchDir;
    private final String token;
    private final Path created;
    private final String agent;
    private volatile String mode;
    private final Instant startedAt;
    private final Manifest startManifest;
    private final List<Map<String, Object>> notices = new ArrayList<>();
    private volatile boolean ownsLease;
    /** Why there is no start manifest (over the bound, unreadable), or null. */
    private volatile String noManifest;
    private volatile Session session;

    Launch(MetadataDir meta, Path launchDir, String token, Path created, String agent, String mode, Instant startedAt,
            Manifest startManifest) {
        this.meta = meta;
        this.launchDir = launchDir;
        this.token = token;
        this.created = created;
        this.agent = agent;
        this.mode = mode;
        this.startedAt = startedAt;
        this.startManifest = startManifest;
    }

    static String newToken() {
        return UUID.randomUUID().toString();
    }

    /** A launch read back from a start record (after a restart), or made up when there is none. */
    static Launch restore(MetadataDir meta, Session session) {
        Map<String, Object> record = meta.startRecord(session.id()).orElse(Map.of());
        Manifest manifest = meta.startManifest(session.id()).orElse(null);
        Object created = record.get("created");
        Object started = record.get("startedAt");
        Launch launch = new Launch(meta, session.spec().cwd(), record.get("token") instanceof String t ? t : newToken(),
                created instanceof String c ? Path.of(c) : null,
                record.get("agent") instanceof String a ? a : session.agent() != null ? session.agent() : agentOf(session),
                record.get("mode") instanceof String m ? m : session.kind(),
                started instanceof String s ? Instant.parse(s) : session.createdAt(), manifest);
        launch.ownsLease = Boolean.TRUE.equals(record.get("ownsLease"));
        launch.noManifest = record.get("noManifest") instanceof String why ? why : null;
        launch.session = session;
        return launch;
    }

    /** Without a profile (a later issue), the agent is the program's name. */
    static String agentOf(Session session) {
        return Path.of(session.spec().command().get(0)).getFileName().toString();
    }

    Map<String, Object> startRecord() {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("session", session == null ? null : session.name());
        record.put("sessionId", session == null ? null : session.id());
        record.put("token", token);
        record.put("ownsLease", ownsLease);
        record.put("created", created == null ? null : created.toString());
        record.put("agent", agent);
        record.put("mode", mode);
        record.put("startedAt", startedAt.toString());
        record.put("noManifest", noManifest);
        return record;
    }

    void notice(String level, String text) {
        Map<String, Object> notice = new LinkedHashMap<>();
        notice.put("level", level);
        notice.put("text", text);
        notices.add(notice);
    }

    /** Banner and warnings for the spawn's reply, in the order they arose. */
    public List<Map<String, Object>> notices() {
        return List.copyOf(notices);
    }

    MetadataDir meta() {
        return meta;
    }

    /** The workspace's real path. */
    public Path root() {
        return meta.root();
    }

    /** Where the program starts: the workspace, or the --cwd inside it. */
    public Path launchDir() {
        return launchDir;
    }

    String token() {
        return token;
    }

    Path created() {
        return created;
    }

    String agent() {
        return agent;
    }

    String mode() {
        return mode;
    }

    /** The kind the session really got (an agent's profile may choose it). */
    void mode(String kind) {
        mode = kind;
    }

    Instant startedAt() {
        return startedAt;
    }

    Manifest startManifest() {
        return startManifest;
    }

    String noManifest() {
        return noManifest;
    }

    void noManifest(String why) {
        noManifest = why;
    }

    boolean ownsLease() {
        return ownsLease;
    }

    void ownsLease(boolean owns) {
        ownsLease = owns;
    }

    Session session() {
        return session;
    }

    void session(Session started) {
        session = started;
    }
}
