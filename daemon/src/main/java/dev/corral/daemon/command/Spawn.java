package dev.corral.daemon.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Starts a program in a new session (a PTY or tmux). Forks, so it runs on a worker. */
final class Spawn extends SessionOperation {
    Spawn(SessionRegistry sessions) {
        super(sessions);
    }

    @Override
    public String name() {
        return Op.SPAWN;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(Request request, Caller caller) throws SessionException {
        JsonNode commandNode = request.args().path("command");
        List<String> command = new ArrayList<>();
        for (JsonNode word : commandNode) {
            if (!word.isTextual()) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "args.command must be an array of strings");
            }
            command.add(word.asText());
        }
        if (command.isEmpty()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "spawn needs a command: corral spawn -- CMD [ARG...]");
        }
        Map<String, String> env = new LinkedHashMap<>();
        var fields = request.args().path("env").fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            if (entry.getKey().isEmpty() || entry.getKey().contains("=") || !entry.getValue().isTextual()) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "args.env must map names (without '=') to strings");
            }
            env.put(entry.getKey(), entry.getValue().asText());
        }
        String cwd = text(request, "cwd", System.getProperty("user.dir"));
        if (!Path.of(cwd).isAbsolute()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args.cwd must be an absolute path");
        }
        String name = request.args().hasNonNull("name") ? text(request, "name", null) : null;
        String kindName = text(request, "kind", "pty");
        SessionSpec.Kind kind = SessionSpec.Kind.fromWire(kindName);
        if (kind == null) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "unknown session kind '" + kindName + "': use pty or tmux");
        }
        SessionSpec spec = new SessionSpec(name, kind, command, Path.of(cwd), env,
                number(request, "cols", 80, 1, 1000), number(request, "rows", 24, 1, 1000));
        return Reply.ok(sessions.spawn(spec).describe());
    }
}
