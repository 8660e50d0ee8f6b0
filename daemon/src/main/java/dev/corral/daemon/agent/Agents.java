package dev.corral.daemon.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.process.ProgramPath;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionListener;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.protocol.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spawns agents from their profiles and watches them: checks the binaries a profile needs,
 * renders the prompt and MCP config into a per-session directory ({@link AgentFiles}), builds the
 * command line that names them, and gives each agent session an {@link OutputWatcher} before its
 * program starts, so not one byte of a first dialog is missed.
 */
public final class Agents implements SessionListener {
    private static final Logger log = LoggerFactory.getLogger(Agents.class);
    /** Where an agent's rendered prompt appears inside its container (also in {@code CORRAL_PROMPT_FILE}). */
    public static final String PROMPT_INSIDE = "/run/corral/prompt.md";
    /** Where an agent's MCP config appears inside its container (also in {@code CORRAL_MCP_CONFIG}). */
    public static final String MCP_INSIDE = "/run/corral/mcp.json";
    /** The prompt a workspace gives an agent spawned in it without --prompt-file, as the earlier container tool did. */
    public static final String KICKOFF = "KICKOFF.md";

    private final Profiles profiles;
    private final AgentFiles files;
    private final Map<String, String> environment;
    private final Map<Session, OutputWatcher> watchers = new ConcurrentHashMap<>();
    /** Each agent session's directory of rendered files. */
    private final Map<Session, Path> dirs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "agent-timers"));
    private final ExecutorService typing = Executors.newSingleThreadExecutor(r -> thread(r, "agent-typing"));
    /** Reads agents' screens (a tmux session's costs a tmux call), off the reader threads. */
    private final ExecutorService watch = Executors.newSingleThreadExecutor(r -> thread(r, "agent-watch"));

    public Agents(Profiles profiles, Path stateDir, Map<String, String> environment, ObjectMapper mapper) {
        this.profiles = profiles;
        this.files = new AgentFiles(stateDir, mapper);
        this.environment = Map.copyOf(environment);
    }

    public Profiles profiles() {
        return profiles;
    }

    /** What the client asked for, beyond the profile. */
    public record Request(String name, String profile, SessionSpec.Kind kind, List<String> extraArgs, Path cwd,
            Map<String, String> env, int cols, int rows, Path promptFile, Path workspace) {
        /** Outside any workspace. */
        public Request(String name, String profile, SessionSpec.Kind kind, List<String> extraArgs, Path cwd,
                Map<String, String> env, int cols, int rows, Path promptFile) {
            this(name, profile, kind, extraArgs, cwd, env, cols, rows, promptFile, null);
        }
    }

    /**
     * Spawns an agent session (blocking: call off the event loop); {@code container} (image,
     * memory, issue) when it runs in a container: then the profile's {@code requires} is looked
     * for in the image, the prompt and MCP files are mounted read-only at {@link #PROMPT_INSIDE}
     * and {@link #MCP_INSIDE}, and the command and environment name those paths. {@code also}
     * prepares the session after the agent's watcher, before its program starts.
     */
    public Session spawn(SessionRegistry sessions, Request request, SessionSpec.Container container,
            SessionRegistry.Preparation also) throws Refusal {
        Profile profile = profiles.require(request.profile());
        SessionSpec.Kind kind = request.kind() == null ? profile.kind() : request.kind();
        if (kind == SessionSpec.Kind.CONTAINER) {
            return spawnInContainer(sessions, request, profile, container, also);
        }
        for (String binary : profile.requires()) {
            if (!onPath(binary)) {
                throw new Refusal(ErrorCode.MISSING_DEPENDENCY, "agent profile '" + profile.name() + "' needs '" + binary
                        + "', which is not installed (not on the daemon's PATH: " + environment.getOrDefault("PATH", "") + "); install it"
                        + " or change [profile." + profile.name() + "] in " + profiles.configFile());
            }
        }
        String prompt = files.readPrompt(request.promptFile());
        AgentFiles.Rendered rendered = files.render(profile, prompt);
        try {
            WorkspaceClaim launch = launch(profile, request, rendered.prompt().toString(),
                    rendered.mcp() == null ? null : rendered.mcp().toString());
            SessionSpec spec = new SessionSpec(request.name(), kind, launch.command(), request.cwd(), launch.env(), request.cols(),
                    request.rows(), request.workspace(), null);
            Session session = sessions.spawn(spec, watcher(profile, rendered.dir(), prompt).andThen(also));
            log.info("agent session {} spawned from profile {} ({})", session.name(), profile.name(), profile.source());
            return session;
        } catch (Refusal | RuntimeException e) {
            forget(rendered.dir());
            throw e;
        }
    }

    /**
     * The container branch of {@link #spawn}: the same watcher on the container session's output
     * as on a PTY's, so readiness, responders and status work alike.
     */
    private Session spawnInContainer(SessionRegistry sessions, Request request, Profile profile, SessionSpec.Container container,
            SessionRegistry.Preparation also) throws Refusal {
        if (request.workspace() == null || container == null) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "a container session needs a workspace: corral spawn --agent "
                    + profile.name() + " --kind container --workspace DIR");
        }
        List<String> missing = sessions.missingInImage(container.image(), profile.requires());
        if (!missing.isEmpty()) {
            throw new Refusal(ErrorCode.MISSING_DEPENDENCY, "agent profile '" + profile.name() + "' needs " + missing
                    + ", which image " + container.image() + " does not have (not found by 'command -v' in it); install it in"
                    + " the image (corral image build --build-arg AGENT_NPM_PACKAGES=...) or name another with --image");
        }
        Path promptFile = request.promptFile();
        if (promptFile == null && !profile.prompt().equals("env")) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "agent profile '" + profile.name() + "' takes a prompt ("
                    + profile.prompt() + ") and none was given: pass --prompt-file FILE or put a " + KICKOFF + " at the"
                    + " workspace root " + request.workspace());
        }
        String prompt = files.readPrompt(promptFile);
        AgentFiles.Rendered rendered = files.render(profile, prompt);
        try {
            Map<String, Path> mounts = new LinkedHashMap<>();
            mounts.put(PROMPT_INSIDE, rendered.prompt());
            if (rendered.mcp() != null) {
                mounts.put(MCP_INSIDE, rendered.mcp());
            }
            WorkspaceClaim launch = launch(profile, request, PROMPT_INSIDE, rendered.mcp() == null ? null : MCP_INSIDE);
            SessionSpec spec = new SessionSpec(request.name(), SessionSpec.Kind.CONTAINER, launch.command(), request.cwd(),
                    launch.env(), request.cols(), request.rows(), request.workspace(), container.withFiles(mounts));
            Session session = sessions.spawn(spec, watcher(profile, rendered.dir(), prompt).andThen(also));
            log.info("agent session {} spawned in a container ({}) from profile {} ({})", session.name(), container.image(),
                    profile.name(), profile.source());
            return session;
        } catch (Refusal | RuntimeException e) {
            forget(rendered.dir());
            throw e;
        }
    }

    /** An agent's command line and environment. */
    private record WorkspaceClaim(List<String> command, Map<String, String> env) {}

    /**
     * The profile's command and environment with the request's additions, naming the rendered
     * prompt at {@code promptPath} and the MCP config at {@code mcpPath} (null: none) as the
     * program sees them.
     */
    private static WorkspaceClaim launch(Profile profile, Request request, String promptPath, String mcpPath) {
        List<String> command = new ArrayList<>(profile.command());
        Map<String, String> env = new LinkedHashMap<>(profile.env());
        env.putAll(request.env());
        env.put("CORRAL_AGENT", profile.name());
        env.put("CORRAL_PROMPT_FILE", promptPath);
        if (profile.prompt().equals("arg")) {
            command.add(promptPath);
        } else if (profile.prompt().startsWith("flag:")) {
            command.add(profile.prompt().substring("flag:".length()));
            command.add(promptPath);
        }
        if (mcpPath != null) {
            env.put("CORRAL_MCP_CONFIG", mcpPath);
            if (profile.mcpFlag() != null) {
                command.add(profile.mcpFlag());
                command.add(mcpPath);
            }
        }
        command.addAll(request.extraArgs());
        return new WorkspaceClaim(command, env);
    }

    /** Before the program starts: the session gets its watcher, so not one byte of a first dialog is missed. */
    private SessionRegistry.Preparation watcher(Profile profile, Path dir, String prompt) {
        String typed = profile.prompt().equals("type") ? prompt : null;
        return created -> {
            created.agent(profile.name());
            OutputWatcher watcher = new OutputWatcher(target(created), profile, timers, watch, typing, typed);
            watchers.put(created, watcher);
            dirs.put(created, dir);
            watcher.started();
        };
    }

    /** A spawn that failed leaves nothing behind: no watcher, no files. */
    private void forget(Path dir) {
        dirs.entrySet().removeIf(entry -> {
            if (entry.getValue().equals(dir)) {
                watchers.remove(entry.getKey());
                return true;
            }
            return false;
        });
        files.delete(dir);
    }

    private static OutputWatcher.Target target(Session session) {
        return new OutputWatcher.Target() {
            @Override
            public String name() {
                return session.name();
            }

            @Override
            public boolean running() {
                return session.running();
            }

            @Override
            public void readiness(String state, String screen) {
                session.readiness(state, screen);
            }

            @Override
            public void inputWanted(boolean wanted) {
                session.inputWanted(wanted);
            }

            @Override
            public boolean send(String text, boolean enter) throws Refusal {
                return session.send(text, enter);
            }

            /** What the session's screen shows now: its model's visible text, trimmed of blank lines. */
            @Override
            public String screen() {
                return OutputWatcher.trim(session.screen().text());
            }
        };
    }

    private boolean onPath(String binary) {
        if (binary.contains("/")) {
            return Files.isExecutable(Path.of(binary));
        }
        return ProgramPath.find(binary, environment.getOrDefault("PATH", ""), null).isPresent();
    }

    @Override
    public void output(Session session, byte[] buffer, int length) {
        OutputWatcher watcher = watchers.get(session);
        if (watcher != null) {
            watcher.changed();
        }
    }

    @Override
    public void ended(Session session) {
        OutputWatcher watcher = watchers.remove(session);
        if (watcher != null) {
            watcher.ended();
        }
    }

    @Override
    public void removed(Session session) {
        OutputWatcher watcher = watchers.remove(session);
        if (watcher != null) {
            watcher.close();
        }
        Path dir = dirs.remove(session);
        if (dir != null) {
            files.delete(dir);
        }
    }

    public void close() {
        timers.shutdownNow();
        watch.shutdownNow();
        typing.shutdownNow();
    }

    private static Thread thread(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
