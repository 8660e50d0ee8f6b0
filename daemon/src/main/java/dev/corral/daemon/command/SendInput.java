package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.SendArgs;
import dev.corral.protocol.result.Sent;
import java.nio.charset.StandardCharsets;

/** Types text into a session without attaching; args.enter adds a carriage return. */
final class SendInput extends BoundOperation<SendArgs> {
    private final SessionRegistry sessions;

    SendInput(SessionRegistry sessions) {
        super(SendArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.SEND;
    }

    /** For a tmux session this runs tmux send-keys, so never on an event loop. */
    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(SendArgs args, Caller caller) throws Refusal {
        Session session = sessions.require(args.name());
        if (!session.running()) {
            throw new Refusal(ErrorCode.CONFLICT, "session '" + session.name() + "' has exited; nothing reads its input");
        }
        if (!session.send(args.text(), args.enter())) {
            throw new Refusal(ErrorCode.BUSY, "session '" + session.name()
                    + "' is not reading its input and too much is queued; try again later");
        }
        int bytes = args.text().getBytes(StandardCharsets.UTF_8).length + (args.enter() ? 1 : 0);
        return Reply.ok(new Sent(session.name(), bytes));
    }
}
