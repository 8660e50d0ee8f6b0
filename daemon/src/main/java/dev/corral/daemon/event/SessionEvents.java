package dev.corral.daemon.event;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionListener;
import dev.corral.protocol.Events;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Turns what happens to sessions into events: the {@code sessions} channel (spawned, adopted,
 * attached, detached, exited, lost, removed) and agent status on the {@code agents} channel.
 *
 * <p>A session's program starts before the registry announces it, so it can write, end or be
 * attached to first. Such events wait here until the announcement, and a subscriber always sees a
 * session spawned before anything else of it. Sessions found ended while the daemon started are
 * never announced: their waiting events (lost) go out when {@link #restored} says start-up is over.
 *
 * <p>Listener calls come from many threads, some holding a session's lock; this class reads
 * what it needs from the session before taking its own lock, and {@link EventHub#publish} only
 * queues, so it never waits.
 */
public final class SessionEvents implements SessionListener {
    private final EventHub hub;
    /** Sessions heard of; weak, so one whose start failed after a first event is not kept. */
    private final Map<Session, Pending> sessions = new WeakHashMap<>();

    private static final class Pending {
        boolean announced;
        final List<Runnable> waiting = new ArrayList<>();
    }

    public SessionEvents(EventHub hub) {
        this.hub = hub;
    }

    @Override
    public void spawned(Session session) {
        announce(session, Events.SESSION_SPAWNED);
    }

    @Override
    public void adopted(Session session) {
        announce(session, Events.SESSION_ADOPTED);
    }

    @Override
    public void attached(Session session, boolean readOnly) {
        Map<String, Object> data = data(session);
        data.put("readOnly", readOnly);
        emit(session, () -> hub.publish(Events.SESSIONS, Events.SESSION_ATTACHED, data));
    }

    @Override
    public void detached(Session session, String reason) {
        Map<String, Object> data = data(session);
        data.put("reason", reason);
        emit(session, () -> hub.publish(Events.SESSIONS, Events.SESSION_DETACHED, data));
    }

    @Override
    public void ended(Session session) {
        Map<String, Object> data = data(session);
        boolean lost = session.state() == Session.State.LOST;
        if (!lost) {
            data.put("exitCode", session.exitCode());
        }
        emit(session, () -> hub.publish(Events.SESSIONS, lost ? Events.SESSION_LOST : Events.SESSION_EXITED, data));
    }

    @Override
    public void statusChanged(Session session, Session.Status previous, Session.Status current) {
        Map<String, Object> data = status(session, previous, current);
        emit(session, () -> hub.publish(Events.AGENTS, Events.AGENT_STATUS, data));
    }

    @Override
    public void readinessChanged(Session session) {
        Map<String, Object> data = data(session);
        data.put("agent", session.agent());
        data.put("readiness", session.readiness());
        if ("stuck".equals(session.readiness()) || "exited".equals(session.readiness())) {
            data.put("stuckOn", session.describe().stuckOn());
        }
        emit(session, () -> hub.publish(Events.AGENTS, Events.AGENT_READINESS, data));
    }

    @Override
    public void removed(Session session) {
        Map<String, Object> data = data(session);
        synchronized (this) {
            Pending pending = sessions.remove(session);
            if (pending != null) {
                pending.waiting.forEach(Runnable::run);
            }
            hub.publish(Events.SESSIONS, Events.SESSION_REMOVED, data);
        }
    }

    /** Start-up is over: what sessions found ended said goes out now, unannounced. */
    public synchronized void restored() {
        for (Pending pending : sessions.values()) {
            if (!pending.announced) {
                pending.announced = true;
                pending.waiting.forEach(Runnable::run);
                pending.waiting.clear();
            }
        }
    }

    private void announce(Session session, String type) {
        Map<String, Object> data = data(session);
        data.put("kind", session.kind());
        long pid = session.pid();
        data.put("pid", pid > 0 ? pid : null);
        data.put("command", session.spec().command());
        data.put("cwd", session.spec().cwd().toString());
        // Every session starts active; a change that came before this announcement is waiting below.
        Map<String, Object> status = status(session, null, Session.Status.ACTIVE);
        synchronized (this) {
            Pending pending = sessions.computeIfAbsent(session, s -> new Pending());
            hub.publish(Events.SESSIONS, type, data);
            hub.publish(Events.AGENTS, Events.AGENT_STATUS, status);
            pending.announced = true;
            pending.waiting.forEach(Runnable::run);
            pending.waiting.clear();
        }
    }

    private synchronized void emit(Session session, Runnable publish) {
        Pending pending = sessions.computeIfAbsent(session, s -> new Pending());
        if (pending.announced) {
            publish.run();
        } else {
            pending.waiting.add(publish);
        }
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
