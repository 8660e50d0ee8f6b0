package dev.corral.daemon.session;

import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What differs between the kinds of session (PTY, tmux, container): how one is made, how its
 * program starts, and how a recorded one is found again by a restarted daemon. The registry does
 * the rest (names, the cap, records, the reaper) the same way for all of them.
 */
interface SessionKind {
    /** Fills in what the request left to the kind (a container's memory), before the name is taken. */
    default SessionSpec complete(SessionSpec requested) {
        return requested;
    }

    /** A new session object; nothing runs yet. */
    Session create(SessionSpec spec, String id, Instant createdAt);

    /**
     * Starts the program (blocking). {@code env} holds the request's variables and corral's own
     * ({@code CORRAL_SESSION}, {@code CORRAL_AGENT}); an IOException is a program that cannot start.
     */
    void start(Session session, SessionSpec requested, Map<String, String> env) throws Refusal, IOException;

    /**
     * Once per restore, before any {@link #adopt}: looks at what the previous daemon left (tmux's
     * panes, the engine's containers). May add records it finds only there to {@code entries}.
     */
    default void survey(List<SessionStore.Entry> entries) {}

    /**
     * Sets the state of a recorded session, already registered, from its record and the survey:
     * running again, unknown (nobody answered), lost, or ended as recorded. Answers true for the last.
     */
    boolean adopt(Session session, SessionStore.Entry entry);

    /** Starts {@code session}'s program with corral's variables added to the request's; a failure is a refusal. */
    static void launch(SessionKind kind, Session session, SessionSpec requested) throws Refusal {
        Map<String, String> env = new HashMap<>(requested.env());
        env.put("CORRAL_SESSION", session.name());
        if (session.agent() != null) {
            env.put("CORRAL_AGENT", session.agent());
        }
        try {
            kind.start(session, requested, env);
        } catch (Tmux.Unanswered e) {
            throw new Refusal(ErrorCode.UNAVAILABLE, "tmux failed to start session '" + session.name() + "': "
                    + e.getMessage());
        } catch (IOException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "cannot start " + requested.command().get(0) + ": " + e.getMessage());
        }
    }

    static boolean recordedEnded(SessionStore.Entry entry) {
        return entry.state() == Session.State.EXITED || entry.state() == Session.State.LOST;
    }
}
