package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import java.util.Map;

/** Sends a signal (default TERM) to a session's program. Runs kill(1), so on a worker. */
final class KillSession extends SessionOperation {
    KillSession(SessionRegistry sessions) {
        super(sessions);
    }

    @Override
    public String name() {
        return Op.KILL;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        Session session = sessions.require(name(request));
        String signal = text(request, "signal", "TERM");
        sessions.kill(session, signal);
        return Reply.ok(Map.of("name", session.name(), "signal", signal));
    }
}
