package dev.corral.daemon.command;

import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.Op;

/** The live leases in the workspaces this daemon knows, after cleaning stale ones. Reads files: a worker. */
final class ListLeases extends SessionOperation {
    private final Workspaces workspaces;

    ListLeases(SessionRegistry sessions, Workspaces workspaces) {
        super(sessions);
        this.workspaces = workspaces;
    }

    @Override
    public String name() {
        return Op.LEASE_LIST;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(Request request, Caller caller) {
        return Reply.ok(workspaces.list());
    }
}
