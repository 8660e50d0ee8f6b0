package dev.corral.daemon.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.daemon.agent.Agents;
import dev.corral.daemon.container.AgentImage;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.daemon.workspace.Launch;
import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Starts a program (or an agent, from its profile) in a new session: a PTY, tmux or a container,
 * in a workspace when asked: then the workspace's checks and lease come first, and the reply
 * carries the banner and warnings ({@code notices}). Forks and walks files, so it runs on a worker.
 */
final class Spawn extends SessionOperation {
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}");
    private static final Pattern MEMORY = Pattern.compile("[0-9]{1,12}[bkmgBKMG]?");

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
        SessionSpec.Kind kind = null;
        if (request.args().hasNonNull("kind")) {
            String kindName = text(request, "kind", null);
            kind = SessionSpec.Kind.fromWire(kindName);
            if (kind == null) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "unknown session kind '" + kindName + "': use pty, tmux or container");
            }
        }
        if (agent != null && kind == SessionSpec.Kind.CONTAINER) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "agent profiles run in pty or tmux sessions; run the agent's"
                    + " command in a container with --kind container -- CMD");
        }
        // A container runs its image's own command when given none; an agent its profile's.
        if (command.isEmpty() && agent == null && kind != SessionSpec.Kind.CONTAINER) {
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
        SessionSpec.Container container = null;
        if (kind == SessionSpec.Kind.CONTAINER) {
            if (!request.args().hasNonNull("workspace")) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "a container session needs a workspace: corral spawn --kind container --workspace DIR");
            }
            container = container(request);
        }
        int cols = number(request, "cols", 80, 1, Protocol.MAX_TERMINAL_SIZE);
        int rows = number(request, "rows", 24, 1, Protocol.MAX_TERMINAL_SIZE);
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
        String holder = agent != null ? agent : command.isEmpty() ? "container" : Path.of(command.get(0)).getFileName().toString();
        Launch launch = workspace == null ? null : workspaces.prepare(new Workspaces.Request(Path.of(workspace), cwd,
                flag(request, "force"), holder, kind == null ? null : kind.wire()));
        Path launchDir = launch == null ? Path.of(cwd) : launch.launchDir();
        Path root = launch == null ? null : launch.root();
        Session session;
        try {
            if (container != null) {
                launchDir = inside(root, launchDir);
            }
            if (agent != null) {
                session = agents.spawn(sessions, new Agents.Request(name, agent, kind, command, launchDir, env, cols, rows,
                        promptFile == null ? null : Path.of(promptFile), root));
            } else {
                session = sessions.spawn(new SessionSpec(name, kind == null ? SessionSpec.Kind.PTY : kind, command, launchDir,
                        env, cols, rows, root, container));
            }
        } catch (SessionException | RuntimeException e) {
            if (launch != null) {
                workspaces.abandon(launch);
            }
            throw e;
        }
        Map<String, Object> result = new LinkedHashMap<>(session.describe());
        result.put("warnings", session.warnings());
        if (launch != null) {
            workspaces.started(launch, session);
            result.put("notices", launch.notices());
        }
        return Reply.ok(result);
    }

    /** A container's working directory must stay inside its workspace, symlinks followed: only the workspace is mounted. */
    private static Path inside(Path workspace, Path cwd) throws SessionException {
        Path real;
        try {
            real = cwd.toRealPath();
        } catch (IOException e) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "working directory " + cwd + " does not exist");
        }
        if (!real.startsWith(workspace)) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "working directory " + cwd + " is outside the workspace "
                    + workspace + " (symlinks followed); a container sees only its workspace");
        }
        return real;
    }

    private static SessionSpec.Container container(Request request) throws SessionException {
        String image = text(request, "image", AgentImage.DEFAULT);
        if (!IMAGE.matcher(image).matches()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args.image '" + image + "' is not an image reference");
        }
        String memory = request.args().hasNonNull("memory") ? text(request, "memory", null) : null;
        if (memory != null && !MEMORY.matcher(memory).matches()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args.memory '" + memory
                    + "' is not a size: a number with an optional unit b, k, m or g (512m, 4g)");
        }
        Integer issue = request.args().hasNonNull("issue") ? number(request, "issue", 0, 1, Integer.MAX_VALUE) : null;
        return new SessionSpec.Container(image, memory, issue);
    }
}
