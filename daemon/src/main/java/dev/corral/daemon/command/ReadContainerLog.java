package dev.corral.daemon.command;

import dev.corral.daemon.session.ContainerLog;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import java.util.Map;

/**
 * A container session's log (docker logs, optionally followed): answers, then streams the log on
 * this connection in stream mode, ending with EXIT and docker's status.
 */
final class ReadContainerLog extends SessionOperation {
    ReadContainerLog(SessionRegistry sessions) {
        super(sessions);
    }

    @Override
    public String name() {
        return Op.CONTAINER_LOGS;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        Session session = sessions.require(name(request));
        Integer tail = request.args().hasNonNull("tail") ? number(request, "tail", 0, 0, Integer.MAX_VALUE) : null;
        boolean follow = flag(request, "follow");
        ContainerLog reading = sessions.containerLog(session, follow, tail);
        return Reply.upgrade(Map.of("name", session.name(), "container", sessions.containerOf(session), "follow", follow),
                new Reply.Attach(reading, true, false, 0, reading::begin));
    }
}
