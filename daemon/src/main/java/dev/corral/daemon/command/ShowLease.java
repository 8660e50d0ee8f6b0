package dev.corral.daemon.command;

import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.LeaseArgs;
import java.nio.file.Path;

/** One workspace: its lease (a stale one is cleaned first) and its last session's summary. */
final class ShowLease extends LeaseOperation<LeaseArgs> {
    ShowLease(Workspaces workspaces) {
        super(LeaseArgs.class, workspaces);
    }

    @Override
    public String name() {
        return Op.LEASE_SHOW;
    }

    @Override
    Reply serve(LeaseArgs args, Caller caller) throws Refusal {
        return Reply.ok(workspaces.show(Path.of(args.workspace())));
    }
}
