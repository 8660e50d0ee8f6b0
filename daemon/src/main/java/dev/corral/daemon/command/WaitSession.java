package dev.corral.daemon.command;

import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Answers when the session's program exits (at once if it has), or when args.timeoutSeconds pass. */
final class WaitSession extends SessionOperation {
    WaitSession(SessionRegistry sessions) {
        super(sessions);
    }

    @Override
    public String name() {
        return Op.WAIT;
    }

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        Session session = sessions.require(name(request));
        int timeout = number(request, "timeoutSeconds", 0, 0, Integer.MAX_VALUE);
        var exit = session.exit().thenApply(code -> {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("name", session.name());
            result.put("exitCode", code);
            result.put("state", session.state().name().toLowerCase());
            return (Reply) Reply.ok(result);
        });
        if (timeout > 0) {
            exit = exit.copy().completeOnTimeout(null, timeout, TimeUnit.SECONDS).thenApply(reply -> reply != null ? reply
                    : Reply.ok(Map.of("name", session.name(), "timedOut", true)));
        }
        return Reply.later(exit);
    }

}
