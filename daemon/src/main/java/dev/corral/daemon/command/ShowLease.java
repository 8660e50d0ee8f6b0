package dev.corral.daemon.command;

import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.Op;
import java.nio.file.Path;

/** One workspace: its lease (a stale one is cleaned first) and its last session's summary. */
final class ShowLease extends LeaseOperation {
    ShowLease(SessionRegistry sessions, Workspaces workspaces) {
        super(sessions, workspaces);
    }

    @Override
    public String name() {
        return Op.LEASE_SHOW;
    }

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        return Reply.ok(workspaces.show(Path.of(text(request, "workspace", null))));
    }
}
