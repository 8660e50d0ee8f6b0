package dev.corral.daemon.session;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spawn of a new session, in its order: registered and announced (state starting, no pid)
 * under the {@link SessionTable}'s lock, so nobody finds it first; prepared (an agent's watcher,
 * then a workspace's launch); its program started; the start announced. The end path takes the
 * table's lock before any listener hears of an end, so nothing of a session is heard before it is
 * announced, and its start never after its end. A program that cannot start leaves the session
 * removed again (announced, then removed).
 */
final class Spawns {
    private static final Logger log = LoggerFactory.getLogger(Spawns.class);

    private final Map<SessionSpec.Kind, SessionKind> kinds;
    private final SessionTable table;
    private final int maxLive;
    private final Reaper reaper;
    private final SessionListener broadcast;
    private final SessionRecords records;

    Spawns(Map<SessionSpec.Kind, SessionKind> kinds, SessionTable table, int maxLive, Reaper reaper, SessionListener broadcast,
            SessionRecords records) {
        this.kinds = kinds;
        this.table = table;
        this.maxLive = maxLive;
        this.reaper = reaper;
        this.broadcast = broadcast;
        this.records = records;
    }

    Session spawn(SessionSpec requested, SessionRegistry.Preparation preparation) throws Refusal {
        SessionKind kind = kinds.get(requested.kind());
        SessionSpec completed = kind.complete(requested);
        SessionTable.Registered registered = table.register(completed, kind, maxLive, created -> {
            if (created.replaced() != null) {
                reaper.cancel(created.replaced());
            }
            broadcast.spawned(created.session());
        });
        Session session = registered.session();
        Session replaced = registered.replaced();
        try {
            if (replaced != null) {
                // An ended session of that name gives way to the new one.
                replaced.discard();
                log.info("session {} replaced: the earlier one had ended", session.name());
                broadcast.removed(replaced);
            }
            preparation.prepare(session);
            SessionKind.launch(kind, session, completed);
        } catch (Refusal | RuntimeException e) {
            table.unregister(session);
            session.discard();
            broadcast.removed(session);
            throw e;
        }
        String unrecorded = records.saveIfRegistered(session);
        if (unrecorded != null) {
            session.warn(unrecorded);
        }
        log.info("session {} started: {} {} (pid {})", session.name(), session.spec().kind().wire(), session.spec().command(),
                session.pid());
        table.announceIfRunning(session, broadcast::started);
        return session;
    }
}
