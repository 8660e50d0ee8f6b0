package dev.corral.daemon.command;

import dev.corral.daemon.workspace.Workspaces;

/** Base of the lease operations: they read and write files in workspaces, so they run on a worker. */
abstract class LeaseOperation<A extends Record> extends BoundOperation<A> {
    protected final Workspaces workspaces;

    LeaseOperation(Class<A> argsType, Workspaces workspaces) {
        super(argsType);
        this.workspaces = workspaces;
    }

    @Override
    public final Execution execution() {
        return Execution.WORKER;
    }
}
