package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;

/** Starts an interactive shell in a container session's container, as a session of its own to attach to. */
final class OpenContainerShell extends SessionOperation {
    OpenContainerShell(SessionRegistry sessions) {
        super(sessions);
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
    Reply serve(Request request, Caller caller) throws SessionException {
        Session shell = sessions.openShell(sessions.require(name(request)));
        return Reply.ok(shell.describe());
    }
}
