package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.NameArgs;

/** Starts an interactive shell in a container session's container, as a session of its own to attach to. */
final class OpenContainerShell extends BoundOperation<NameArgs> {
    private final SessionRegistry sessions;

    OpenContainerShell(SessionRegistry sessions) {
        super(NameArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.CONTAINER_SHELL;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(NameArgs args, Caller caller) throws Refusal {
        Session shell = sessions.openShell(sessions.require(args.name()));
        return Reply.ok(shell.describe());
    }
}
