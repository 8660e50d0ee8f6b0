package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.WaitArgs;
import dev.corral.protocol.result.WaitTimedOut;
import dev.corral.protocol.result.Waited;
import java.util.concurrent.TimeUnit;

/** Answers when the session's program exits (at once if it has), or when args.timeoutSeconds pass. */
final class WaitSession extends BoundOperation<WaitArgs> {
    private final SessionRegistry sessions;

    WaitSession(SessionRegistry sessions) {
        super(WaitArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.WAIT;
    }

    @Override
    Reply serve(WaitArgs args, Caller caller) throws Refusal {
        Session session = sessions.require(args.name());
        var exit = session.exit().thenApply(code ->
                Reply.ok(new Waited(session.name(), code, session.state().name().toLowerCase())));
        if (args.timeoutSeconds() > 0) {
            exit = exit.copy().completeOnTimeout(null, args.timeoutSeconds(), TimeUnit.SECONDS).thenApply(reply -> reply != null
                    ? reply : Reply.ok(new WaitTimedOut(session.name(), true)));
        }
        return Reply.later(exit);
    }
}
