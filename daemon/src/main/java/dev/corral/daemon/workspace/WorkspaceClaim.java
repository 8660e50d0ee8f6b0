package dev.corral.daemon.workspace;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.corral.daemon.session.Session;
import dev.corral.protocol.result.Notice;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One session's life in a workspace, from the spawn's checks to the end-of-session writes: the
 * claim (its token, and whether it holds the lease), the start manifest, and whether this spawn
 * created the workspace. Its start record in {@code .corral/sessions/} lets a restarted daemon
 * carry on with a session it adopts.
 */
public final class WorkspaceClaim {
    private final MetadataDir meta;
    private final Path launchDir;
    private final String token;
    private final Path created;
    private final String agent;
    private volatile String mode;
    private final Instant startedAt;
    private final Manifest startManifest;
    private final List<Notice> notices = new ArrayList<>();
    private volatile boolean ownsLease;
    /** Why there is no start manifest (over the bound, unreadable), or null. */
    private volatile String noManifest;
    private volatile Session session;

    WorkspaceClaim(MetadataDir meta, Path launchDir, String token, Path created, String agent, String mode, Instant startedAt,
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

    /**
     * What {@code .corral/sessions/ID.json} holds about a session's start: the claim, whether it
     * owns the lease, the folder it created, agent, mode, start time and why there is no start
     * manifest. Shared with every corral that uses the workspace: fields it does not know are ignored.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record StartRecord(String session, String sessionId, String token, Boolean ownsLease, String created, String agent,
            String mode, String startedAt, String noManifest) {}

    /** A launch read back from a start record (after a restart), or made up when there is none. */
    static WorkspaceClaim restore(MetadataDir meta, Session session) {
        StartRecord record = meta.startRecord(session.id())
                .orElse(new StartRecord(null, null, null, null, null, null, null, null, null));
        Manifest manifest = meta.startManifest(session.id()).orElse(null);
        WorkspaceClaim launch = new WorkspaceClaim(meta, session.spec().cwd(), record.token() != null ? record.token() : newToken(),
                record.created() != null ? Path.of(record.created()) : null,
                record.agent() != null ? record.agent() : session.agent() != null ? session.agent() : agentOf(session),
                record.mode() != null ? record.mode() : session.kind(),
                record.startedAt() != null ? Instant.parse(record.startedAt()) : session.createdAt(), manifest);
        launch.ownsLease = Boolean.TRUE.equals(record.ownsLease());
        launch.noManifest = record.noManifest();
        launch.session = session;
        return launch;
    }

    /** Without a profile (a later issue), the agent is the program's name. */
    static String agentOf(Session session) {
        return Path.of(session.spec().command().get(0)).getFileName().toString();
    }

    StartRecord startRecord() {
        return new StartRecord(session == null ? null : session.name(), session == null ? null : session.id(), token,
                ownsLease, created == null ? null : created.toString(), agent, mode, startedAt.toString(), noManifest);
    }

    void notice(String level, String text) {
        notices.add(new Notice(level, text));
    }

    /** Banner and warnings for the spawn's reply, in the order they arose. */
    public List<Notice> notices() {
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
