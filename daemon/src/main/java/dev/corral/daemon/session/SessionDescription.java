package dev.corral.daemon.session;

import dev.corral.protocol.result.SessionView;
import dev.corral.protocol.result.Size;
import java.util.LinkedHashMap;
import java.util.Map;

/** The SPEC's session object, as {@code ls} and {@code show} print it. */
final class SessionDescription {
    private SessionDescription() {}

    /** Under the session's lock (see {@link Session#describe}), so state, status and exit agree. */
    static SessionView of(Session session) {
        SessionSpec spec = session.spec();
        long pid = session.pid();
        int[] size = session.size();
        Map<String, Object> kindFields = new LinkedHashMap<>();
        session.describeKind(kindFields);
        return new SessionView(spec.name(), session.id(), session.kind(), session.state().name().toLowerCase(),
                pid > 0 ? pid : null, session.exitCode(), spec.command(), spec.cwd().toString(),
                spec.workspace() == null ? null : spec.workspace().toString(), session.agent(),
                session.createdAt().toString(), session.endedAt() == null ? null : session.endedAt().toString(),
                session.attached(), session.readiness(), session.stuckOn(), session.status().wire(),
                new Size(size[0], size[1]), kindFields);
    }
}
