package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.RemoveArgs;
import dev.corral.protocol.result.Removed;
import java.util.List;

/** Forgets an exited session (with args.force, kills a live one first). */
final class RemoveSession extends BoundOperation<RemoveArgs> {
    private final SessionRegistry sessions;

    RemoveSession(SessionRegistry sessions) {
        super(RemoveArgs.class);
        this.sessions = sessions;
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
    Reply serve(RemoveArgs args, Caller caller) throws Refusal {
        Session session = sessions.require(args.name());
        List<String> warnings = sessions.remove(session, args.force());
        return Reply.ok(new Removed(session.name(), true, warnings));
    }
}
