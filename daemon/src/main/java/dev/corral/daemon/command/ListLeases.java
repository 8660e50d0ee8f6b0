package dev.corral.daemon.command;

import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.NoArgs;

/** The live leases in the workspaces this daemon knows, after cleaning stale ones. */
final class ListLeases extends LeaseOperation<NoArgs> {
    ListLeases(Workspaces workspaces) {
        super(NoArgs.class, workspaces);
    }

    @Override
    public String name() {
        return Op.LEASE_LIST;
    }

    @Override
    Reply serve(NoArgs args, Caller caller) {
        return Reply.ok(workspaces.list());
    }
}
