package dev.corral.daemon.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The claim of one session on a workspace, kept in {@code .corral/lease.json}: which session,
 * which daemon holds it (host, pid), agent, mode, when it started, and the heartbeat that
 * daemon renews. {@code token} names the claim itself, so a daemon only ever renews or removes
 * its own. {@code session} and {@code sessionId} are null while the session is being started.
 */
public record Lease(String token, String session, String sessionId, Holder holder, Long programPid, String agent,
        String mode, Instant started, Instant heartbeat, long ttlSeconds) {

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

    public Map<String, Object> toJson() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("session", session);
        object.put("sessionId", sessionId);
        object.put("host", holder.host());
        object.put("pid", holder.pid());
        object.put("pidStartedAt", holder.pidStarted() == null ? null : holder.pidStarted().toString());
        object.put("programPid", programPid);
        object.put("agent", agent);
        object.put("mode", mode);
        object.put("started", started.toString());
        object.put("heartbeat", heartbeat.toString());
        object.put("ttlSeconds", ttlSeconds);
        object.put("token", token);
        return object;
    }

    public static Lease fromJson(JsonNode node) throws IOException {
        if (!node.path("token").isTextual() || !node.path("host").isTextual() || !node.path("pid").canConvertToLong()
                || !node.path("heartbeat").isTextual() || !node.path("started").isTextual()) {
            throw new IOException("not a lease: token, host, pid, started or heartbeat missing");
        }
        try {
            return new Lease(node.get("token").asText(), text(node, "session"), text(node, "sessionId"),
                    new Holder(node.get("host").asText(), node.get("pid").asLong(),
                            node.path("pidStartedAt").isTextual() ? Instant.parse(node.get("pidStartedAt").asText()) : null),
                    node.path("programPid").canConvertToLong() ? node.get("programPid").asLong() : null,
                    text(node, "agent"), text(node, "mode"), Instant.parse(node.get("started").asText()),
                    Instant.parse(node.get("heartbeat").asText()), node.path("ttlSeconds").asLong(60));
        } catch (RuntimeException e) {
            throw new IOException("not a lease: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).isTextual() ? node.get(field).asText() : null;
    }
}
