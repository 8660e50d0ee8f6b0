package dev.corral.daemon.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionListener;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.daemon.state.AtomicFiles;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spawns agents from their profiles and watches them: checks the binaries a profile needs,
 * renders the prompt and MCP config into a per-session directory, and gives each agent session
 * an {@link OutputWatcher} before its program starts, so not one byte of a first dialog is missed.
 */
public final class Agents implements SessionListener {
    private static final Logger log = LoggerFactory.getLogger(Agents.class);
    /** Where an agent's rendered prompt appears inside its container (also in {@code CORRAL_PROMPT_FILE}). */
    public static final String PROMPT_INSIDE = "/run/corral/prompt.md";
    /** Where an agent's MCP config appears inside its container (also in {@code CORRAL_MCP_CONFIG}). */
    public static final String MCP_INSIDE = "/run/corral/mcp.json";
    /** The prompt a workspace gives an agent spawned in it without --prompt-file, as the earlier container tool did. */
    public static final String KICKOFF = "KICKOFF.md";
    /** A prompt file larger than this is refused: it is text for a model, not a data set. */
    static final long MAX_PROMPT_BYTES = 16L * 1024 * 1024;

    private final Profiles profiles;
    private final Path filesRoot;
    private final Map<String, String> environment;
    private final ObjectMapper mapper;
    private final Map<Session, OutputWatcher> watchers = new ConcurrentHashMap<>();
    private final Map<Session, Path> files = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "agent-timers"));
    private final ExecutorService typing = Executors.newSingleThreadExecutor(r -> thread(r, "agent-typing"));
    /** Reads agents' screens (a tmux session's costs a tmux call), off the reader threads. */
    private final ExecutorService watch = Executors.newSingleThreadExecutor(r -> thread(r, "agent-watch"));
    private final Map<Session, StreamText> streams = new ConcurrentHashMap<>();

    public Agents(Profiles profiles, Path stateDir, Map<String, String> environment, ObjectMapper mapper) {
        this.profiles = profiles;
        this.filesRoot = stateDir.resolve("agents");
        this.environment = Map.copyOf(environment);
        this.mapper = mapper;
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

    /** Spawns an agent session (blocking: call off the event loop). */
    public Session spawn(SessionRegistry sessions, Request request) throws SessionException {
        return spawn(sessions, request, null);
    }

    /**
     * Spawns an agent session; {@code container} (image, memory, issue) when it runs in a
     * container: then the profile's {@code requires} is looked for in the image, the prompt and
     * MCP files are mounted read-only at {@link #PROMPT_INSIDE} and {@link #MCP_INSIDE}, and the
     * command and environment name those paths.
     */
    public Session spawn(SessionRegistry sessions, Request request, SessionSpec.Container container) throws SessionException {
        Profile profile = profiles.require(request.profile());
        SessionSpec.Kind kind = request.kind() == null ? profile.kind() : request.kind();
        if (kind == SessionSpec.Kind.CONTAINER) {
            return spawnInContainer(sessions, request, profile, container);
        }
        for (String binary : profile.requires()) {
            if (!onPath(binary)) {
                throw new SessionException(ErrorCode.MISSING_DEPENDENCY, "agent profile '" + profile.name() + "' needs '" + binary
                        + "', which is not installed (not on the daemon's PATH: " + environment.getOrDefault("PATH", "") + "); install it"
                        + " or change [profile." + profile.name() + "] in " + profiles.configFile());
            }
        }
        String prompt = readPrompt(request.promptFile());
        Path dir = sessionDir(profile.name() + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Path promptPath = dir.resolve("prompt.md");
            AtomicFiles.write(promptPath, prompt.getBytes(StandardCharsets.UTF_8));
            List<String> command = new ArrayList<>(profile.command());
            Map<String, String> env = new LinkedHashMap<>(profile.env());
            env.putAll(request.env());
            env.put("CORRAL_AGENT", profile.name());
            env.put("CORRAL_PROMPT_FILE", promptPath.toString());
            if (profile.prompt().equals("arg")) {
                command.add(promptPath.toString());
            } else if (profile.prompt().startsWith("flag:")) {
                command.add(profile.prompt().substring("flag:".length()));
                command.add(promptPath.toString());
            }
            if (!profile.mcp().isEmpty()) {
                Path mcpPath = dir.resolve("mcp.json");
                AtomicFiles.write(mcpPath, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(mcpConfig(profile)));
                env.put("CORRAL_MCP_CONFIG", mcpPath.toString());
                if (profile.mcpFlag() != null) {
                    command.add(profile.mcpFlag());
                    command.add(mcpPath.toString());
                }
            }
            command.addAll(request.extraArgs());
            SessionSpec spec = new SessionSpec(request.name(), request.kind() == null ? profile.kind() : request.kind(), command,
                    request.cwd(), env, request.cols(), request.rows(), request.workspace(), null);
            String typed = profile.prompt().equals("type") ? prompt : null;
            Session session = sessions.spawn(spec, created -> {
                created.agent(profile.name());
                StreamText stream = new StreamText(spec.rows());
                streams.put(created, stream);
                OutputWatcher watcher = new OutputWatcher(target(created, stream), profile, timers, watch, typing, typed);
                watchers.put(created, watcher);
                files.put(created, dir);
                watcher.started();
            });
            log.info("agent session {} spawned from profile {} ({})", session.name(), profile.name(), profile.source());
            return session;
        } catch (IOException e) {
            forget(dir);
            throw new SessionException(ErrorCode.INTERNAL, "could not write the agent's files in " + dir + ": " + e.getMessage());
        } catch (SessionException | RuntimeException e) {
            forget(dir);
            throw e;
        }
    }

    /**
     * The container branch of {@link #spawn}: the same watcher on the container session's output
     * as on a PTY's, so readiness, responders and status work alike.
     */
    private Session spawnInContainer(SessionRegistry sessions, Request request, Profile profile, SessionSpec.Container container)
            throws SessionException {
        if (request.workspace() == null || container == null) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "a container session needs a workspace: corral spawn --agent "
                    + profile.name() + " --kind container --workspace DIR");
        }
        List<String> missing = sessions.missingInImage(container.image(), profile.requires());
        if (!missing.isEmpty()) {
            throw new SessionException(ErrorCode.MISSING_DEPENDENCY, "agent profile '" + profile.name() + "' needs " + missing
                    + ", which image " + container.image() + " does not have (not found by 'command -v' in it); install it in"
                    + " the image (corral image build --build-arg AGENT_NPM_PACKAGES=...) or name another with --image");
        }
        Path promptFile = request.promptFile();
        if (promptFile == null && !profile.prompt().equals("env")) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "agent profile '" + profile.name() + "' takes a prompt ("
                    + profile.prompt() + ") and none was given: pass --prompt-file FILE or put a " + KICKOFF + " at the"
                    + " workspace root " + request.workspace());
        }
        String prompt = readPrompt(promptFile);
        Path dir = sessionDir(profile.name() + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Path promptPath = dir.resolve("prompt.md");
            AtomicFiles.write(promptPath, prompt.getBytes(StandardCharsets.UTF_8));
            Map<String, Path> mounts = new LinkedHashMap<>();
            mounts.put(PROMPT_INSIDE, promptPath);
            List<String> command = new ArrayList<>(profile.command());
            Map<String, String> env = new LinkedHashMap<>(profile.env());
            env.putAll(request.env());
            env.put("CORRAL_AGENT", profile.name());
            env.put("CORRAL_PROMPT_FILE", PROMPT_INSIDE);
            if (profile.prompt().equals("arg")) {
                command.add(PROMPT_INSIDE);
            } else if (profile.prompt().startsWith("flag:")) {
                command.add(profile.prompt().substring("flag:".length()));
                command.add(PROMPT_INSIDE);
            }
            if (!profile.mcp().isEmpty()) {
                Path mcpPath = dir.resolve("mcp.json");
                AtomicFiles.write(mcpPath, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(mcpConfig(profile)));
                mounts.put(MCP_INSIDE, mcpPath);
                env.put("CORRAL_MCP_CONFIG", MCP_INSIDE);
                if (profile.mcpFlag() != null) {
                    command.add(profile.mcpFlag());
                    command.add(MCP_INSIDE);
                }
            }
            command.addAll(request.extraArgs());
            SessionSpec spec = new SessionSpec(request.name(), SessionSpec.Kind.CONTAINER, command, request.cwd(), env,
                    request.cols(), request.rows(), request.workspace(), container.withFiles(mounts));
            String typed = profile.prompt().equals("type") ? prompt : null;
            Session session = sessions.spawn(spec, created -> {
                created.agent(profile.name());
                StreamText stream = new StreamText(spec.rows());
                streams.put(created, stream);
                OutputWatcher watcher = new OutputWatcher(target(created, stream), profile, timers, watch, typing, typed);
                watchers.put(created, watcher);
                files.put(created, dir);
                watcher.started();
            });
            log.info("agent session {} spawned in a container ({}) from profile {} ({})", session.name(), container.image(),
                    profile.name(), profile.source());
            return session;
        } catch (IOException e) {
            forget(dir);
            throw new SessionException(ErrorCode.INTERNAL, "could not write the agent's files in " + dir + ": " + e.getMessage());
        } catch (SessionException | RuntimeException e) {
            forget(dir);
            throw e;
        }
    }

    /** A spawn that failed leaves nothing behind: no watcher, no files. */
    private void forget(Path dir) {
        files.entrySet().removeIf(entry -> {
            if (entry.getValue().equals(dir)) {
                watchers.remove(entry.getKey());
                streams.remove(entry.getKey());
                return true;
            }
            return false;
        });
        deleteTree(dir);
    }

    private static OutputWatcher.Target target(Session session, StreamText stream) {
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
            public boolean send(String text, boolean enter) throws SessionException {
                return session.send(text, enter);
            }

            @Override
            public String screen() {
                return screenText(session, stream);
            }
        };
    }

    /** What the session's screen shows now: its model's visible text, trimmed of blank lines. */
    private static String screenText(Session session, StreamText stream) {
        return OutputWatcher.trim(session.screen().text());
    }

    /** The MCP config agents read: {@code {"mcpServers": {...}}} from the profile's {@code mcp.servers} (or the whole table). */
    private static Map<String, Object> mcpConfig(Profile profile) {
        Object servers = profile.mcp().getOrDefault("servers", profile.mcp());
        return Map.of("mcpServers", servers);
    }

    private String readPrompt(Path file) throws SessionException {
        if (file == null) {
            return "";
        }
        try {
            if (!Files.isRegularFile(file)) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "prompt file " + file + " is not a readable file");
            }
            if (Files.size(file) > MAX_PROMPT_BYTES) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "prompt file " + file + " is larger than "
                        + MAX_PROMPT_BYTES / (1024 * 1024) + " MiB");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "cannot read prompt file " + file + ": " + e.getMessage());
        }
    }

    /**
     * Creates {@code STATE/agents/ID/}, refusing a symbolic link planted at either level: the
     * daemon must never write its files where a link would take them.
     */
    private Path sessionDir(String id) throws SessionException {
        Path dir = filesRoot.resolve(id);
        try {
            for (Path level : List.of(filesRoot, dir)) {
                if (Files.isSymbolicLink(level)) {
                    throw new SessionException(ErrorCode.BAD_REQUEST, level + " is a symbolic link; corral refuses to write agent"
                            + " files through it. Remove it and spawn again");
                }
                if (!Files.exists(level, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(level);
                } else if (!Files.isDirectory(level, LinkOption.NOFOLLOW_LINKS)) {
                    throw new SessionException(ErrorCode.BAD_REQUEST, level + " is not a directory");
                }
            }
            return dir;
        } catch (IOException e) {
            throw new SessionException(ErrorCode.INTERNAL, "cannot create " + dir + ": " + e.getMessage());
        }
    }

    private boolean onPath(String binary) {
        if (binary.contains("/")) {
            return Files.isExecutable(Path.of(binary));
        }
        return dev.corral.daemon.process.ProgramPath.find(binary, environment.getOrDefault("PATH", ""), null).isPresent();
    }

    @Override
    public void output(Session session, byte[] buffer, int length) {
        OutputWatcher watcher = watchers.get(session);
        if (watcher != null) {
            StreamText stream = streams.get(session);
            if (stream != null) {
                stream.feed(buffer, length);
            }
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
        streams.remove(session);
        Path dir = files.remove(session);
        if (dir != null) {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try {
            dev.corral.daemon.state.FileTrees.delete(dir);
        } catch (IOException e) {
            log.debug("could not delete {}: {}", dir, e.toString());
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
