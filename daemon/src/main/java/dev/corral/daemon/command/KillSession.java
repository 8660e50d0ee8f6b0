package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.KillArgs;
import dev.corral.protocol.result.Killed;

/** Sends a signal (default TERM) to a session's program. Runs kill(1), so on a worker. */
final class KillSession extends BoundOperation<KillArgs> {
    private final SessionRegistry sessions;

    KillSession(SessionRegistry sessions) {
        super(KillArgs.class);
        this.sessions = sessions;
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
    Reply serve(KillArgs args, Caller caller) throws Refusal {
        Session session = sessions.require(args.name());
        sessions.kill(session, args.signal());
        return Reply.ok(new Killed(session.name(), args.signal()));
    }
}
