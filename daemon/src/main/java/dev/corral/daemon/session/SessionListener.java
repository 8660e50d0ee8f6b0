package dev.corral.daemon.session;

/**
 * Hears what happens to sessions (events, workspace leases, readiness). Calls come from the
 * thread where the change happened, output from a session's reader thread: a listener must be
 * quick and must not block.
 */
public interface SessionListener {
    SessionListener NONE = new SessionListener() {};

    /**
     * A new session was registered, in state {@code starting} with no pid: its program has not
     * started yet. Heard before anything else of it, under the registry's lock (quick, no disk).
     */
    default void spawned(Session session) {}

    /** A spawned session's program started (its pid is known); not heard when it ended first. */
    default void started(Session session) {}

    /** Found again after a daemon restart. */
    default void adopted(Session session) {}

    default void attached(Session session, boolean readOnly) {}

    default void detached(Session session, String reason) {}

    /** Terminal output; the buffer is reused after the call. */
    default void output(Session session, byte[] buffer, int length) {}

    /** Exited (with its status) or lost (without one); see {@link Session#state()}. */
    default void ended(Session session) {}

    default void removed(Session session) {}

    /** An agent session's readiness moved on; see {@link Session#readiness()}. */
    default void readinessChanged(Session session) {}
    /**
     * The program's status changed (see {@link Session.Status}). Called with the session's lock
     * held, so that changes are heard in order: do not wait on anything here.
     */
    default void statusChanged(Session session, Session.Status previous, Session.Status current) {}
}
