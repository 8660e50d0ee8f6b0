package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.AttachArgs;

/** Answers with the session object, then turns the connection into a raw terminal stream. */
final class AttachSession extends BoundOperation<AttachArgs> {
    private final SessionRegistry sessions;

    AttachSession(SessionRegistry sessions) {
        super(AttachArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.ATTACH;
    }

    @Override
    Reply serve(AttachArgs args, Caller caller) throws Refusal {
        Session session = sessions.require(args.name());
        if (!args.readOnly() && args.cols() > 0 && args.rows() > 0) {
            session.resize(args.cols(), args.rows());
        }
        return Reply.upgrade(session.describe(), new Reply.Attach(session, args.readOnly(), !args.noReplay(), args.scrollback()));
    }
}
