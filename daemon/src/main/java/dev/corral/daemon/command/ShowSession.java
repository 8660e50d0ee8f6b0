package dev.corral.daemon.command;

import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;

/** One session object. */
final class ShowSession extends SessionOperation {
    ShowSession(SessionRegistry sessions) {
        super(sessions);
    }

    @Override
    public String name() {
        return Op.SHOW;
    }

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        return Reply.ok(sessions.require(name(request)).describe());
    }
}
