package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import java.util.regex.Pattern;

/** Commits a container session's container to the image corral-agent:TAG (docker commit, on a worker). */
final class SnapshotContainer extends SessionOperation {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    SnapshotContainer(SessionRegistry sessions) {
        super(sessions);
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
    Reply serve(Request request, Caller caller) throws SessionException {
        Session session = sessions.require(name(request));
        String tag = text(request, "tag", "snapshot-" + session.name());
        if (!TAG.matcher(tag).matches()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args.tag '" + tag
                    + "' is not a tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'");
        }
        return Reply.ok(sessions.snapshot(session, tag));
    }
}
