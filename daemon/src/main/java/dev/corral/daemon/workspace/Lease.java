package dev.corral.daemon.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.state.StrictJson;
import dev.corral.protocol.result.LeaseRecord;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * The claim of one session on a workspace, kept in {@code .corral/lease.json}: which session,
 * which daemon holds it (host, pid), agent, mode, when it started, and the heartbeat that
 * daemon renews. {@code token} names the claim itself, so a daemon only ever renews or removes
 * its own. {@code session} and {@code sessionId} are null while the session is being started.
 */
public record Lease(String token, String session, String sessionId, Holder holder, Long programPid, String agent,
        String mode, Instant started, Instant heartbeat, long ttlSeconds) {
    private static final ObjectMapper READER = StrictJson.mapper();

    public Lease renewed(Instant now) {
        return new Lease(token, session, sessionId, holder, programPid, agent, mode, started, now, ttlSeconds);
    }

    /** Held from now on by this daemon (after a restart that adopted the session). */
    public Lease takenOver(Instant now, long ttl) {
        return new Lease(token, session, sessionId, Holder.self(), programPid, agent, mode, started, now, ttl);
    }

    public Lease naming(String name, String id, long pid, String kind) {
        return new Lease(token, name, id, holder, pid > 0 ? pid : null, agent, kind, started, heartbeat, ttlSeconds);
    }

    /**
     * Why this lease is stale, or null while it is live. {@code ownTokens} are the claims this
     * daemon still has live sessions for; any other claim in this daemon's name is left over.
     */
    public String staleReason(Instant now, Set<String> ownTokens) {
        if (holder.isSelf()) {
            return ownTokens.contains(token) ? null : "its session no longer runs in this daemon";
        }
        if (holder.gone()) {
            return "its daemon (pid " + holder.pid() + " on " + holder.host() + ") is no longer running";
        }
        long age = Duration.between(heartbeat, now).toSeconds();
        if (age > ttlSeconds) {
            return "its last heartbeat was " + age + " s ago, more than its TTL of " + ttlSeconds + " s";
        }
        return null;
    }

    /** "session 'build' (pid 812, corrald pid 77 on host h, agent claude, mode pty, last heartbeat 3 s ago)" */
    public String describeHolder(Instant now) {
        return (session == null ? "a session being started" : "session '" + session + "'") + " ("
                + (programPid == null ? "" : "pid " + programPid + ", ") + "corrald pid " + holder.pid() + " on " + holder.host()
                + ", agent " + agent + ", mode " + mode + ", since " + started
                + ", last heartbeat " + Math.max(0, Duration.between(heartbeat, now).toSeconds()) + " s ago)";
    }

    /** The lease as its file holds it. */
    public LeaseRecord toJson() {
        return new LeaseRecord(session, sessionId, holder.host(), holder.pid(),
                holder.pidStarted() == null ? null : holder.pidStarted().toString(), programPid, agent, mode,
                started.toString(), heartbeat.toString(), ttlSeconds, token);
    }

    /** A lease file's content, bound strictly by type (a newer corral's extra fields ignored). */
    public static Lease fromJson(JsonNode node) throws IOException {
        LeaseRecord file;
        try {
            file = READER.treeToValue(node, LeaseRecord.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("not a lease: " + e.getMessage(), e);
        }
        if (file.token() == null || file.host() == null || file.pid() == null || file.heartbeat() == null
                || file.started() == null) {
            throw new IOException("not a lease: token, host, pid, started or heartbeat missing");
        }
        try {
            return new Lease(file.token(), file.session(), file.sessionId(), new Holder(file.host(), file.pid(),
                    file.pidStartedAt() == null ? null : Instant.parse(file.pidStartedAt())), file.programPid(), file.agent(),
                    file.mode(), Instant.parse(file.started()), Instant.parse(file.heartbeat()),
                    file.ttlSeconds() == null ? 60 : file.ttlSeconds());
        } catch (RuntimeException e) {
            throw new IOException("not a lease: " + e.getMessage(), e);
        }
    }
}
