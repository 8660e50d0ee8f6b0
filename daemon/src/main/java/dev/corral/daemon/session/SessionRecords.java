package dev.corral.daemon.session;

import java.util.List;
import java.util.function.Predicate;

/**
 * The registry's writes of session records and kept output. Every write and delete happens with
 * the check that the session is still registered, under one lock: so a removed session's record
 * is never written again (by its exit handler, say), and {@code rm} stays final across a restart.
 * Not the registry's own lock, which event loops take to list sessions and must not wait for a disk.
 */
final class SessionRecords {
    private final SessionStore store;
    /** Whether a session is the registered one of its name; answered under the registry's lock. */
    private final Predicate<Session> registered;

    SessionRecords(SessionStore store, Predicate<Session> registered) {
        this.store = store;
        this.registered = registered;
    }

    /** How a removal went: whether the session was still registered, and a warning when its record stayed. */
    record Removal(boolean removed, String undeleted) {}

    /** Takes the session out with {@code unregister} (false: it was not registered), then deletes its record. */
    Removal remove(Session session, Predicate<Session> unregister) {
        synchronized (this) {
            if (!unregister.test(session)) {
                return new Removal(false, null);
            }
            return new Removal(true, store.delete(session.name()));
        }
    }

    /** Writes the session's record, unless it was removed (or replaced) meanwhile; answers a warning when it could not be. */
    String saveIfRegistered(Session session) {
        synchronized (this) {
            if (registered.test(session)) {
                String unrecorded = store.save(session);
                if (session instanceof PtySession pty && !session.running()) {
                    store.saveOutput(session.name(), pty.outputSnapshot());
                }
                return unrecorded;
            }
            return null;
        }
    }

    /**
     * Writes the recent output of each running PTY session that wrote since the last time, so a
     * session lost with a crashed daemon keeps its last screen.
     */
    void keepOutput(List<Session> live) {
        for (Session session : live) {
            if (session instanceof PtySession pty && pty.outputChangedSinceKept()) {
                synchronized (this) {
                    if (registered.test(session)) {
                        store.saveOutput(session.name(), pty.keepOutput());
                    }
                }
            }
        }
    }
}
