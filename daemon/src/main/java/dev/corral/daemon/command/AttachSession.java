package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;

/** Answers with the session object, then turns the connection into a raw terminal stream. */
final class AttachSession extends SessionOperation {
    AttachSession(SessionRegistry sessions) {
        super(sessions);
    }

    @Override
    public String name() {
        return Op.ATTACH;
    }

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        Session session = sessions.require(name(request));
        boolean readOnly = flag(request, "readOnly");
        boolean replay = !flag(request, "noReplay");
        int scrollback = number(request, "scrollback", 0, 0, 100_000);
        int cols = number(request, "cols", 0, 0, Protocol.MAX_TERMINAL_SIZE);
        int rows = number(request, "rows", 0, 0, Protocol.MAX_TERMINAL_SIZE);
        if (!readOnly && cols > 0 && rows > 0) {
            session.resize(cols, rows);
        }
        var described = session.describe();
        return Reply.upgrade(described, new Reply.Attach(session, readOnly, replay, scrollback));
    }
}
