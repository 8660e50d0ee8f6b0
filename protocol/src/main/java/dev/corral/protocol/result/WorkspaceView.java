package dev.corral.protocol.result;

import java.util.Map;

/**
 * {@code lease.show}: the workspace, its lease (or null), its last session's summary as written
 * in the workspace (or null) with that summary's banner, and why a stale lease was cleaned (or null).
 */
public record WorkspaceView(String workspace, LeaseView lease, Map<String, Object> lastSession, String lastSessionBanner,
        String cleaned) {}
