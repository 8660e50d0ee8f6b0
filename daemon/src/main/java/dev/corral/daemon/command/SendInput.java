package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Types text into a session without attaching; args.enter adds a carriage return. */
final class SendInput extends SessionOperation {
    SendInput(SessionRegistry sessions) {
        super(sessions);
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
    Reply serve(Request request, Caller caller) throws SessionException {
        Session session = sessions.require(name(request));
        String text = text(request, "text", "");
        boolean enter = flag(request, "enter");
        if (!session.running()) {
            throw new SessionException(ErrorCode.CONFLICT, "session '" + session.name() + "' has exited; nothing reads its input");
        }
        if (!session.send(text, enter)) {
            throw new SessionException(ErrorCode.BUSY, "session '" + session.name()
                    + "' is not reading its input and too much is queued; try again later");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length + (enter ? 1 : 0);
        return Reply.ok(Map.of("name", session.name(), "bytes", bytes));
    }
}
