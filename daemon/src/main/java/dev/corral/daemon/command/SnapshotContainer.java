package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.Check;
import dev.corral.protocol.args.InvalidArgument;
import dev.corral.protocol.args.SnapshotArgs;

/** Commits a container session's container to the image corral-agent:TAG (docker commit, on a worker). */
final class SnapshotContainer extends BoundOperation<SnapshotArgs> {
    private final SessionRegistry sessions;

    SnapshotContainer(SessionRegistry sessions) {
        super(SnapshotArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.CONTAINER_SNAPSHOT;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(SnapshotArgs args, Caller caller) throws Refusal {
        Session session = sessions.require(args.name());
        String tag;
        try {
            // The default tag holds the session's name, which a tag may not.
            tag = args.tag() != null ? args.tag() : Check.imageTag("tag", "snapshot-" + session.name());
        } catch (InvalidArgument e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, e.getMessage() + "; give one with --tag");
        }
        return Reply.ok(sessions.snapshot(session, tag));
    }
}
