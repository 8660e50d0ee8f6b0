package dev.corral.daemon.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.daemon.agent.Agents;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.daemon.workspace.Launch;
import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a program (or an agent, from its profile) in a new session, in a workspace when asked:
 * then the workspace's checks and lease come first, and the reply carries the banner and
 * warnings ({@code notices}). Forks and walks files, so it runs on a worker.
 */
final class Spawn extends SessionOperation {
    private final Agents agents;
    private final Workspaces workspaces;

    Spawn(SessionRegistry sessions, Agents agents, Workspaces workspaces) {
        super(sessions);
        this.agents = agents;
        this.workspaces = workspaces;
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
        String agent = request.args().hasNonNull("agent") ? text(request, "agent", null) : null;
        if (command.isEmpty() && agent == null) {
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
        String name = request.args().hasNonNull("name") ? text(request, "name", null) : null;
        SessionSpec.Kind kind = null;
        if (request.args().hasNonNull("kind")) {
            String kindName = text(request, "kind", null);
            kind = SessionSpec.Kind.fromWire(kindName);
            if (kind == null) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "unknown session kind '" + kindName + "': use pty or tmux");
            }
        }
        int cols = number(request, "cols", 80, 1, 1000);
        int rows = number(request, "rows", 24, 1, 1000);
        String promptFile = request.args().hasNonNull("promptFile") ? text(request, "promptFile", null) : null;
        if (promptFile != null && !Path.of(promptFile).isAbsolute()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args.promptFile must be an absolute path");
        }
        String workspace = request.args().hasNonNull("workspace") ? text(request, "workspace", null) : null;
        String cwd = workspace == null ? text(request, "cwd", System.getProperty("user.dir"))
                : request.args().hasNonNull("cwd") ? text(request, "cwd", null) : null;
        if (workspace == null && !Path.of(cwd).isAbsolute()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args.cwd must be an absolute path");
        }

        // With a workspace, args.cwd is relative to it: the launch directory replaces it.
        Launch launch = workspace == null ? null : workspaces.prepare(new Workspaces.Request(Path.of(workspace), cwd,
                flag(request, "force"), agent != null ? agent : Path.of(command.get(0)).getFileName().toString(),
                kind == null ? null : kind.wire()));
        Path launchDir = launch == null ? Path.of(cwd) : launch.launchDir();
        Path root = launch == null ? null : launch.root();
        Session session;
        try {
            if (agent != null) {
                session = agents.spawn(sessions, new Agents.Request(name, agent, kind, command, launchDir, env, cols, rows,
                        promptFile == null ? null : Path.of(promptFile), root));
            } else {
                session = sessions.spawn(new SessionSpec(name, kind == null ? SessionSpec.Kind.PTY : kind, command, launchDir,
                        env, cols, rows, root));
            }
        } catch (SessionException | RuntimeException e) {
            if (launch != null) {
                workspaces.abandon(launch);
            }
            throw e;
        }
        if (launch == null) {
            return Reply.ok(session.describe(sessions.limits().idleAfter()));
        }
        workspaces.started(launch, session);
        Map<String, Object> result = new LinkedHashMap<>(session.describe(sessions.limits().idleAfter()));
        result.put("notices", launch.notices());
        return Reply.ok(result);
    }
}
