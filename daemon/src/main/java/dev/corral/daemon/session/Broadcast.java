package dev.corral.daemon.session;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each session tells its registry, passed to every listener in turn: the registry hears an
 * end first (to record and reap the session), then the listeners. A listener that throws is logged
 * and the others still hear.
 */
final class Broadcast implements SessionListener {
    private static final Logger log = LoggerFactory.getLogger(Broadcast.class);

    private final List<SessionListener> listeners;
    /** The registry's own hearing of an end, before any listener's: it records the session and sets its reaper. */
    private final Consumer<Session> endedFirst;

    Broadcast(List<SessionListener> listeners, Consumer<Session> endedFirst) {
        this.listeners = listeners;
        this.endedFirst = endedFirst;
    }

    private void each(Consumer<SessionListener> call) {
        for (SessionListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                log.warn("session listener {} failed: {}", listener.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @Override
    public void spawned(Session session) {
        each(l -> l.spawned(session));
    }

    @Override
    public void started(Session session) {
        each(l -> l.started(session));
    }

    @Override
    public void adopted(Session session) {
        each(l -> l.adopted(session));
    }

    @Override
    public void removed(Session session) {
        each(l -> l.removed(session));
    }

    @Override
    public void attached(Session session, boolean readOnly) {
        each(l -> l.attached(session, readOnly));
    }

    @Override
    public void detached(Session session, String reason) {
        each(l -> l.detached(session, reason));
    }

    @Override
    public void output(Session session, byte[] buffer, int length) {
        each(l -> l.output(session, buffer, length));
    }

    @Override
    public void readinessChanged(Session session) {
        each(l -> l.readinessChanged(session));
    }

    @Override
    public void statusChanged(Session session, Session.Status previous, Session.Status current) {
        each(l -> l.statusChanged(session, previous, current));
    }

    @Override
    public void ended(Session session) {
        endedFirst.accept(session);
        each(l -> l.ended(session));
    }
}
