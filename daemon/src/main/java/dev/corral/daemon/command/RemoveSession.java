package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import java.util.List;
import java.util.Map;

/** Forgets an exited session (with args.force, kills a live one first). */
final class RemoveSession extends SessionOperation {
    RemoveSession(SessionRegistry sessions) {
        super(sessions);
    }

    @Override
    public String name() {
        return Op.REMOVE;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        Session session = sessions.require(name(request));
        List<String> warnings = sessions.remove(session, flag(request, "force"));
        return Reply.ok(Map.of("name", session.name(), "removed", true, "warnings", warnings));
    }
}
