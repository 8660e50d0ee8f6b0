package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.TailArgs;
import dev.corral.protocol.result.Tail;
import java.nio.charset.StandardCharsets;

/** The session's most recent output (from its replay buffer) without attaching. */
final class TailOutput extends BoundOperation<TailArgs> {
    private final SessionRegistry sessions;

    TailOutput(SessionRegistry sessions) {
        super(TailArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.TAIL;
    }

    /** For a tmux session this runs tmux capture-pane, so never on an event loop. */
    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(TailArgs args, Caller caller) throws Refusal {
        Session session = sessions.require(args.name());
        int bytes = args.bytes() == null ? sessions.limits().replayBytes() : args.bytes();
        String output = new String(session.tail(bytes), StandardCharsets.UTF_8);
        return Reply.ok(new Tail(session.name(), output));
    }
}
