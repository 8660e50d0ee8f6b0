package dev.corral.daemon.command;

import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.Op;
import java.nio.file.Path;

/** Removes a workspace's lease: a stale one always, a live one only with args.force. */
final class ReleaseLease extends LeaseOperation {
    ReleaseLease(SessionRegistry sessions, Workspaces workspaces) {
        super(sessions, workspaces);
    }

    @Override
    public String name() {
        return Op.LEASE_RELEASE;
    }

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        return Reply.ok(workspaces.release(Path.of(text(request, "workspace", null)), flag(request, "force")));
    }
}
