package dev.corral.daemon.command;

import dev.corral.daemon.agent.Agents;
import dev.corral.daemon.agent.Profile;
import dev.corral.daemon.container.AgentImage;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.daemon.workspace.WorkspaceClaim;
import dev.corral.daemon.workspace.Workspaces;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.SpawnArgs;
import dev.corral.protocol.result.SessionView;
import dev.corral.protocol.result.Spawned;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a program (or an agent, from its profile) in a new session: a PTY, tmux or a container,
 * in a workspace when asked: then the workspace's checks and lease come first, and the reply
 * carries the banner and warnings ({@code notices}). Forks and walks files, so it runs on a worker.
 */
final class Spawn extends BoundOperation<SpawnArgs> {
    private final SessionRegistry sessions;
    private final Agents agents;
    private final Workspaces workspaces;

    Spawn(SessionRegistry sessions, Agents agents, Workspaces workspaces) {
        super(SpawnArgs.class);
        this.sessions = sessions;
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
    Reply serve(SpawnArgs args, Caller caller) throws Refusal {
        List<String> command = args.command();
        String agent = args.agent();
        SessionSpec.Kind kind = args.kind() == null ? null : SessionSpec.Kind.fromWire(args.kind());
        Profile profile = agent == null ? null : agents.profiles().require(agent);
        if (profile != null && kind == null && profile.kind() == SessionSpec.Kind.CONTAINER) {
            kind = SessionSpec.Kind.CONTAINER; // the profile's kind = "container"
        }
        // A container runs its image's own command when given none; an agent its profile's.
        if (command.isEmpty() && agent == null && kind != SessionSpec.Kind.CONTAINER) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "spawn needs a command: corral spawn -- CMD [ARG...]");
        }
        SessionSpec.Container container = null;
        if (kind != SessionSpec.Kind.CONTAINER && (args.image() != null || args.memory() != null || args.issue() != null)) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "image, memory and issue go with a container session: --kind"
                    + " container, or an agent profile of kind = \"container\"");
        }
        if (kind == SessionSpec.Kind.CONTAINER) {
            if (args.workspace() == null) {
                throw new Refusal(ErrorCode.BAD_REQUEST, "a container session needs a workspace: corral spawn --kind container --workspace DIR");
            }
            // The spawn's image, else the profile's, else corral's agent image.
            String image = args.image() != null ? args.image() : profile != null && profile.image() != null ? profile.image()
                    : AgentImage.DEFAULT;
            container = new SessionSpec.Container(image, args.memory(), args.issue());
        }
        String promptFile = args.promptFile();
        String workspace = args.workspace();
        String cwd = workspace == null && args.cwd() == null ? System.getProperty("user.dir") : args.cwd();
        if (workspace == null && !Path.of(cwd).isAbsolute()) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "args.cwd must be an absolute path");
        }

        // With a workspace, args.cwd is relative to it: the launch directory replaces it.
        String holder = agent != null ? agent : command.isEmpty() ? "container" : Path.of(command.get(0)).getFileName().toString();
        WorkspaceClaim launch = workspace == null ? null : workspaces.prepare(new Workspaces.Request(Path.of(workspace), cwd,
                args.force(), holder, kind == null ? null : kind.wire()));
        Path launchDir = launch == null ? Path.of(cwd) : launch.launchDir();
        Path root = launch == null ? null : launch.root();
        List<String> notices = new ArrayList<>();
        if (agent != null && container != null && promptFile == null && root != null) {
            // As the container tool corral replaces did: the workspace's KICKOFF.md is the prompt.
            Path kickoff = root.resolve(Agents.KICKOFF);
            if (Files.isRegularFile(kickoff, LinkOption.NOFOLLOW_LINKS)) {
                promptFile = kickoff.toString();
                notices.add("prompt: " + kickoff + " (the workspace's " + Agents.KICKOFF + "; --prompt-file FILE gives another)");
            }
        }
        Session session;
        try {
            Path dir = container != null ? inside(root, launchDir) : launchDir;
            // The launch is the session's before its program starts: its end, however soon, finds it.
            SessionRegistry.Preparation register = launch == null ? SessionRegistry.Preparation.NONE
                    : created -> workspaces.launching(launch, created);
            session = start(register, args, kind, dir, root, container, promptFile);
        } catch (Refusal | RuntimeException e) {
            if (launch != null) {
                workspaces.abandon(launch);
            }
            throw e;
        }
        if (launch != null) {
            workspaces.started(launch, session);
        }
        SessionView started = session.describe();
        notices.addAll(session.warnings());
        return Reply.ok(new Spawned(started, notices, launch == null ? null : launch.notices()));
    }

    /** The session itself, an agent's from its profile or the command as asked, with {@code register} seeing it first. */
    private Session start(SessionRegistry.Preparation register, SpawnArgs args, SessionSpec.Kind kind, Path dir, Path root,
            SessionSpec.Container container, String promptFile) throws Refusal {
        return args.agent() != null
                ? agents.spawn(sessions, new Agents.Request(args.name(), args.agent(), kind, args.command(), dir, args.env(),
                        args.cols(), args.rows(), promptFile == null ? null : Path.of(promptFile), root), container, register)
                : sessions.spawn(new SessionSpec(args.name(), kind == null ? SessionSpec.Kind.PTY : kind, args.command(), dir,
                        args.env(), args.cols(), args.rows(), root, container), register);
    }

    /** A container's working directory must stay inside its workspace, symlinks followed: only the workspace is mounted. */
    private static Path inside(Path workspace, Path cwd) throws Refusal {
        Path real;
        try {
            real = cwd.toRealPath();
        } catch (IOException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "working directory " + cwd + " does not exist");
        }
        if (!real.startsWith(workspace)) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "working directory " + cwd + " is outside the workspace "
                    + workspace + " (symlinks followed); a container sees only its workspace");
        }
        return real;
    }
}
