package dev.corral.daemon.event;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionListener;
import dev.corral.protocol.Events;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns what happens to sessions into events: the {@code sessions} channel (spawned, started,
 * adopted, attached, detached, exited, lost, removed) and agent status on the {@code agents} channel.
 *
 * <p>The registry announces a session before its program starts and before anyone can find it, and
 * hears of its start and its end in turn under its own lock (see {@code SessionRegistry}): so each
 * event goes out as it is heard, and a subscriber sees a session spawned before anything else of it
 * with nothing held back here. Sessions found ended while the daemon started are never announced:
 * their first event is their end.
 *
 * <p>Listener calls come from many threads, some holding a session's lock; this class reads
 * what it needs from the session first, and {@link EventHub#publish} only queues, so it never waits.
 */
public final class SessionEvents implements SessionListener {
    private final EventHub hub;

    public SessionEvents(EventHub hub) {
        this.hub = hub;
    }

    @Override
    public void spawned(Session session) {
        announce(session, Events.SESSION_SPAWNED);
    }

    @Override
    public void started(Session session) {
        Map<String, Object> data = data(session);
        data.put("kind", session.kind());
        data.put("pid", pid(session));
        hub.publish(Events.SESSIONS, Events.SESSION_STARTED, data);
    }

    @Override
    public void adopted(Session session) {
        announce(session, Events.SESSION_ADOPTED);
    }

    @Override
    public void attached(Session session, boolean readOnly) {
        Map<String, Object> data = data(session);
        data.put("readOnly", readOnly);
        hub.publish(Events.SESSIONS, Events.SESSION_ATTACHED, data);
    }

    @Override
    public void detached(Session session, String reason) {
        Map<String, Object> data = data(session);
        data.put("reason", reason);
        hub.publish(Events.SESSIONS, Events.SESSION_DETACHED, data);
    }

    @Override
    public void ended(Session session) {
        Map<String, Object> data = data(session);
        boolean lost = session.state() == Session.State.LOST;
        if (!lost) {
            data.put("exitCode", session.exitCode());
        }
        hub.publish(Events.SESSIONS, lost ? Events.SESSION_LOST : Events.SESSION_EXITED, data);
    }

    @Override
    public void statusChanged(Session session, Session.Status previous, Session.Status current) {
        hub.publish(Events.AGENTS, Events.AGENT_STATUS, status(session, previous, current));
    }

    @Override
    public void readinessChanged(Session session) {
        Map<String, Object> data = data(session);
        data.put("agent", session.agent());
        data.put("readiness", session.readiness());
        if ("stuck".equals(session.readiness()) || "exited".equals(session.readiness())) {
            data.put("stuckOn", session.describe().stuckOn());
        }
        hub.publish(Events.AGENTS, Events.AGENT_READINESS, data);
    }

    @Override
    public void removed(Session session) {
        hub.publish(Events.SESSIONS, Events.SESSION_REMOVED, data(session));
    }

    /** Spawned (the program not started yet, so no pid) or adopted (running, with its pid); every session starts active. */
    private void announce(Session session, String type) {
        Map<String, Object> data = data(session);
        data.put("kind", session.kind());
        data.put("pid", pid(session));
        data.put("command", session.spec().command());
        data.put("cwd", session.spec().cwd().toString());
        hub.publish(Events.SESSIONS, type, data);
        hub.publish(Events.AGENTS, Events.AGENT_STATUS, status(session, null, Session.Status.ACTIVE));
    }

    private static Long pid(Session session) {
        long pid = session.pid();
        return pid > 0 ? pid : null;
    }

    private static Map<String, Object> data(Session session) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("session", session.name());
        data.put("sessionId", session.id());
        return data;
    }

    private static Map<String, Object> status(Session session, Session.Status previous, Session.Status current) {
        Map<String, Object> data = data(session);
        data.put("status", current.wire());
        data.put("previous", previous == null ? null : previous.wire());
        return data;
    }
}
