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

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        Session session = sessions.require(name(request));
        String text = text(request, "text", "") + (flag(request, "enter") ? "\r" : "");
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (!session.running()) {
            throw new SessionException(ErrorCode.CONFLICT, "session '" + session.name() + "' has exited; nothing reads its input");
        }
        if (!session.write(bytes)) {
            throw new SessionException(ErrorCode.BUSY, "session '" + session.name()
                    + "' is not reading its input and too much is queued; try again later");
        }
        return Reply.ok(Map.of("name", session.name(), "bytes", bytes.length));
    }
}
