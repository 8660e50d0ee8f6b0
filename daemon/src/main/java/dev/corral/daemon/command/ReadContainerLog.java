package dev.corral.daemon.command;

import dev.corral.daemon.session.ContainerLog;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.ContainerLogsArgs;
import dev.corral.protocol.result.ContainerLogStream;

/**
 * A container session's log (docker logs, optionally followed): answers, then streams the log on
 * this connection in stream mode, ending with EXIT and docker's status.
 */
final class ReadContainerLog extends BoundOperation<ContainerLogsArgs> {
    private final SessionRegistry sessions;

    ReadContainerLog(SessionRegistry sessions) {
        super(ContainerLogsArgs.class);
        this.sessions = sessions;
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
    Reply serve(ContainerLogsArgs args, Caller caller) throws Refusal {
        Session session = sessions.require(args.name());
        ContainerLog reading = sessions.containerLog(session, args.follow(), args.tail());
        return Reply.upgrade(new ContainerLogStream(session.name(), sessions.containerOf(session), args.follow()),
                new Reply.Attach(reading, true, false, 0, reading::begin));
    }
}
