package dev.corral.daemon.command;

import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.NameArgs;

/** One session object. */
final class ShowSession extends BoundOperation<NameArgs> {
    private final SessionRegistry sessions;

    ShowSession(SessionRegistry sessions) {
        super(NameArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.SHOW;
    }

    @Override
    Reply serve(NameArgs args, Caller caller) throws Refusal {
        return Reply.ok(sessions.require(args.name()).describe());
    }
}
