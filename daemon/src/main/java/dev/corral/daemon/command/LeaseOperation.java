package dev.corral.daemon.command;

import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.workspace.Workspaces;

/** Base of the lease operations: they read and write files in workspaces, so they run on a worker. */
abstract class LeaseOperation extends SessionOperation {
    protected final Workspaces workspaces;

    LeaseOperation(SessionRegistry sessions, Workspaces workspaces) {
        super(sessions);
        this.workspaces = workspaces;
    }

    @Override
    public final Execution execution() {
        return Execution.WORKER;
    }
}
