package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import java.util.Map;

/** The live sessions, or all of them (exited ones not yet reaped) with args.all. */
final class ListSessions extends SessionOperation {
    ListSessions(SessionRegistry sessions) {
        super(sessions);
    }

    @Override
    public String name() {
        return Op.LIST;
    }

    @Override
    Reply serve(Request request, Caller caller) {
        return Reply.ok(Map.of("sessions", sessions.list(flag(request, "all")).stream()
                .map(Session::describe).toList()));
    }
}
