package dev.corral.daemon.workspace;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Session;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a session did in its workspace, written at its end: who ran (agent, mode), when, how it
 * ended and how the end was noticed, and what changed in the files. The last one is shown as a
 * banner at the next spawn into the workspace; each is also a line of the session log.
 */
final class SessionSummary {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private SessionSummary() {}

    static Map<String, Object> of(WorkspaceClaim launch, Session session, Instant endedAt, String detectedVia, ManifestDiff diff,
            Manifest end) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("workspace", launch.root().toString());
        summary.put("session", session.name());
        summary.put("sessionId", session.id());
        summary.put("kind", session.kind());
        summary.put("agent", launch.agent());
        summary.put("mode", launch.mode());
        summary.put("host", Holder.hostName());
        summary.put("startedAt", launch.startedAt().toString());
        summary.put("endedAt", endedAt.toString());
        summary.put("durationSeconds", Math.max(0, Duration.between(launch.startedAt(), endedAt).toSeconds()));
        summary.put("exitCode", session.exitCode());
        summary.put("endReason", session.state() == Session.State.LOST ? "lost" : "exited");
        summary.put("detectedVia", detectedVia);
        summary.put("leased", launch.ownsLease());
        summary.put("files", end == null ? null : end.size());
        summary.put("diff", diff == null ? null : diff.describe());
        summary.put("noManifest", launch.startManifest() == null ? launch.noManifest() : null);
        return summary;
    }

    /** The session log's line: the summary without the lists of paths. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> logLine(Map<String, Object> summary) {
        Map<String, Object> line = new LinkedHashMap<>(summary);
        if (line.get("diff") instanceof Map<?, ?> diff) {
            Map<String, Object> counts = new LinkedHashMap<>((Map<String, Object>) diff);
            counts.keySet().removeIf(key -> key.endsWith("Files"));
            line.put("diff", counts);
        }
        return line;
    }

    /**
     * One line for the next spawn: "last session in /w: 'fix' (agent claude, mode pty), 2026-11-21
     * 07:01:02 UTC for 14m 38s, exited with status 0 (seen by process-exit); files: 3 added, ..."
     */
    static String banner(Map<String, Object> summary) {
        StringBuilder text = new StringBuilder("last session in ").append(summary.get("workspace")).append(": '")
                .append(summary.get("session")).append("' (agent ").append(summary.get("agent")).append(", mode ")
                .append(summary.get("mode")).append("), ");
        try {
            text.append(CLOCK.format(Instant.parse(String.valueOf(summary.get("startedAt")))));
        } catch (RuntimeException e) {
            text.append(summary.get("startedAt"));
        }
        if (summary.get("durationSeconds") instanceof Number seconds) {
            text.append(" for ").append(duration(seconds.longValue()));
        }
        text.append(", ");
        if ("lost".equals(summary.get("endReason"))) {
            text.append("lost without an exit status");
        } else {
            text.append("exited with status ").append(summary.get("exitCode"));
        }
        text.append(" (seen by ").append(summary.get("detectedVia")).append("); files: ");
        if (summary.get("diff") instanceof Map<?, ?> diff) {
            text.append(diff.get("added")).append(" added, ").append(diff.get("modified")).append(" modified, ")
                    .append(diff.get("removed")).append(" removed");
        } else {
            text.append("not compared");
            if (summary.get("noManifest") instanceof String why) {
                text.append(" (").append(why).append(")");
            }
        }
        return text.toString();
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m " + seconds % 60 + "s";
        }
        return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
    }

    static String clock(Instant instant) {
        return CLOCK.format(instant);
    }

    static Map<String, Object> parse(ObjectMapper mapper, byte[] bytes) throws IOException {
        return mapper.readValue(bytes, new TypeReference<LinkedHashMap<String, Object>>() {});
    }
}
