package dev.corral.daemon.command;

import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.LeaseArgs;
import java.nio.file.Path;

/** Removes a workspace's lease: a stale one always, a live one only with args.force. */
final class ReleaseLease extends LeaseOperation<LeaseArgs> {
    ReleaseLease(Workspaces workspaces) {
        super(LeaseArgs.class, workspaces);
    }

    @Override
    public String name() {
        return Op.LEASE_RELEASE;
    }

    @Override
    Reply serve(LeaseArgs args, Caller caller) throws Refusal {
        return Reply.ok(workspaces.release(Path.of(args.workspace()), args.force()));
    }
}
