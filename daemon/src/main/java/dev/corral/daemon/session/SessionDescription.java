package dev.corral.daemon.session;

import java.util.LinkedHashMap;
import java.util.Map;

/** The SPEC's session object, as {@code ls} and {@code show} print it. */
final class SessionDescription {
    private SessionDescription() {}

    /** Under the session's lock (see {@link Session#describe}), so state, status and exit agree. */
    static Map<String, Object> of(Session session) {
        Map<String, Object> object = new LinkedHashMap<>();
        SessionSpec spec = session.spec();
        long pid = session.pid();
        Integer exitCode = session.exitCode();
        object.put("name", spec.name());
        object.put("id", session.id());
        object.put("kind", session.kind());
        object.put("state", session.state().name().toLowerCase());
        object.put("pid", pid > 0 ? pid : null);
        object.put("exitCode", exitCode);
        object.put("command", spec.command());
        object.put("cwd", spec.cwd().toString());
        object.put("workspace", spec.workspace() == null ? null : spec.workspace().toString());
        object.put("agent", session.agent());
        object.put("createdAt", session.createdAt().toString());
        object.put("endedAt", session.endedAt() == null ? null : session.endedAt().toString());
        object.put("attached", session.attached());
        object.put("readiness", session.readiness());
        if (session.stuckOn() != null) {
            object.put("stuckOn", session.stuckOn());
        }
        object.put("status", session.status().wire());
        int[] size = session.size();
        object.put("size", Map.of("cols", size[0], "rows", size[1]));
        session.describeKind(object);
        return object;
    }
}
