package dev.corral.daemon.command;

import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.Op;

/** The live leases in the workspaces this daemon knows, after cleaning stale ones. */
final class ListLeases extends LeaseOperation {
    ListLeases(SessionRegistry sessions, Workspaces workspaces) {
        super(sessions, workspaces);
    }

    @Override
    public String name() {
        return Op.LEASE_LIST;
    }

    @Override
    Reply serve(Request request, Caller caller) {
        return Reply.ok(workspaces.list());
    }
}
