package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.ListArgs;
import dev.corral.protocol.result.SessionList;

/** The live sessions, or all of them (exited ones not yet reaped) with args.all. */
final class ListSessions extends BoundOperation<ListArgs> {
    private final SessionRegistry sessions;

    ListSessions(SessionRegistry sessions) {
        super(ListArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.LIST;
    }

    @Override
    Reply serve(ListArgs args, Caller caller) {
        return Reply.ok(new SessionList(sessions.list(args.all()).stream().map(Session::describe).toList()));
    }
}
