package dev.corral.protocol.result;

import java.util.Map;

/** {@code daemon.status}: what the daemon is and how it is reached; {@code events} describes the event hub. */
public record DaemonState(String version, long pid, long uptimeSeconds, String startedAt, String socket, String stateDir,
        int protocol, String transport, int connections, Map<String, Object> events) {}
