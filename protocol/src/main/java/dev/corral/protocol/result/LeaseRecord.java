package dev.corral.protocol.result;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A lease as {@code .corral/lease.json} holds it and the lease operations show it: the session,
 * the daemon holding it (host, pid, when that pid started), the program's pid, agent, mode, when
 * it started, the last heartbeat, its TTL and the claim's token. A lease file is shared by every
 * corral that uses the workspace, so a newer one's extra fields are ignored, never refused.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LeaseRecord(String session, String sessionId, String host, Long pid, String pidStartedAt, Long programPid,
        String agent, String mode, String started, String heartbeat, Long ttlSeconds, String token) {}
