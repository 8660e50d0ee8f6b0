package dev.corral.daemon.session;

import dev.corral.protocol.ErrorCode;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The registry's sessions by name, under one lock: the cap on live sessions, the names, and the
 * announcements made under that lock ({@link #announce}). The end path takes this lock before any
 * listener hears of an end (the registry's reaper is set under it), so what is announced here is
 * heard before anything that follows it. Event loops take it to list sessions: nothing under it
 * waits for a disk or a process.
 */
final class SessionTable {
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final SessionNames names = new SessionNames();

    /** A new session and the ended one of its name it replaces, or null. */
    record Registered(Session session, Session replaced) {}

    /**
     * Checks the cap, the name (generated when none was asked for) and the working directory,
     * makes the session with {@code kind} and registers it, then runs {@code announce} on it, all
     * under the lock: nobody finds the session before it is announced.
     */
    synchronized Registered register(SessionSpec requested, SessionKind kind, int maxLive, Consumer<Registered> announce)
            throws Refusal {
        long live = sessions.values().stream().filter(Session::running).count();
        if (live >= maxLive) {
            throw new Refusal(ErrorCode.CONFLICT, "session cap reached: " + live
                    + " live sessions (the daemon's --max-sessions); remove or end one first");
        }
        SessionSpec spec = requested.name() == null ? requested.withName(names.generate(requested, sessions::containsKey)) : requested;
        Session replaced = sessions.get(spec.name());
        SessionNames.check(spec, replaced);
        if (!Files.isDirectory(spec.cwd())) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "working directory " + spec.cwd()
                    + (Files.exists(spec.cwd()) ? " is not a directory" : " does not exist"));
        }
        Session session = kind.create(spec, SessionNames.newId(), Instant.now());
        sessions.put(spec.name(), session);
        Registered registered = new Registered(session, replaced);
        announce.accept(registered);
        return registered;
    }

    /** A session read back from its record, registered before its state is set. */
    synchronized void put(Session session) {
        sessions.put(session.name(), session);
    }

    /** Runs {@code announce} under the lock if the session still runs; answers whether it did. */
    synchronized boolean announceIfRunning(Session session, Consumer<Session> announce) {
        if (!session.running()) {
            return false;
        }
        announce.accept(session);
        return true;
    }

    /** Runs {@code then} under the lock if the session is the registered one of its name. */
    synchronized void ifRegistered(Session session, Consumer<Session> then) {
        if (sessions.get(session.name()) == session) {
            then.accept(session);
        }
    }

    synchronized Optional<Session> find(String name) {
        return Optional.ofNullable(sessions.get(name));
    }

    synchronized List<Session> list(boolean all) {
        List<Session> listed = new ArrayList<>();
        for (Session session : sessions.values()) {
            if (all || session.running()) {
                listed.add(session);
            }
        }
        return listed;
    }

    synchronized boolean unregister(Session session) {
        return sessions.remove(session.name(), session);
    }

    synchronized boolean registered(Session session) {
        return sessions.get(session.name()) == session;
    }
}
