package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The session's most recent output (from its replay buffer) without attaching. */
final class TailOutput extends SessionOperation {
    TailOutput(SessionRegistry sessions) {
        super(sessions);
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
    Reply serve(Request request, Caller caller) throws SessionException {
        Session session = sessions.require(name(request));
        int bytes = number(request, "bytes", sessions.limits().replayBytes(), 0, Integer.MAX_VALUE);
        String output = new String(session.tail(bytes), StandardCharsets.UTF_8);
        return Reply.ok(Map.of("name", session.name(), "output", output));
    }
}
