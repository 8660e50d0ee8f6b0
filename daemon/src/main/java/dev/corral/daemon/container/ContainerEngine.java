package dev.corral.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker engine corral drives, only through the docker CLI ({@link DockerCli} makes each call
 * and sorts the failures every call shares), against the engine that {@link ContainerSettings}
 * names: what corral asks it of containers and images, and what its answers mean.
 */
public final class ContainerEngine {
    private static final Logger log = LoggerFactory.getLogger(ContainerEngine.class);
    /**
     * docker's own detach keys for the clients the daemon runs: a sequence nobody types, so the
     * keys of corral's clients (Ctrl-P among them) reach the program.
     */
    public static final String DETACH_KEYS = "ctrl-^,ctrl-_";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(60);
    private static final Pattern EXITED = Pattern.compile("^Exited \\((-?[0-9]+)\\)");
    private static final String LIST_FORMAT = String.join("\t", "{{.ID}}", "{{.Names}}", "{{.State}}", "{{.Status}}",
            "{{.Image}}", "{{.Label \"" + Labels.SESSION + "\"}}", "{{.Label \"" + Labels.SESSION_ID + "\"}}",
            "{{.Label \"" + Labels.ISSUE + "\"}}", "{{.Label \"" + Labels.TASK + "\"}}", "{{.CreatedAt}}");

    /** A container's state as the engine reports it ({@code docker inspect}'s {@code .State}). */
    public record State(String status, boolean running, long pid, int exitCode, String error, boolean everStarted,
            boolean oomKilled) {
        /** Never started, and not starting: the engine's start failed. */
        public boolean failedToStart() {
            return !error.isEmpty();
        }

        /**
         * The exit status of docker's init when it could not run the command (tini: 126 not
         * executable, 127 not found); the program's own status otherwise.
         */
        public boolean mayBeExecFailure() {
            return exitCode == 126 || exitCode == 127;
        }
    }

    /** docker's init says so in the log when it could not exec the command. */
    static final String INIT_EXEC_FAILED = "[FATAL tini";
    /** docker's zero time: the container never started. */
    private static final String NEVER = "0001-01-01T00:00:00Z";

    /** A container listed by {@code docker ps -a} with corral's labels. */
    public record Listed(String id, String name, String state, String status, String image, String session,
            String sessionId, String issue, String task, String createdAt) {
        public boolean running() {
            return state.equals("running") || state.equals("restarting") || state.equals("paused");
        }

        /** The exit status an exited container's status line carries ("Exited (3) 2 seconds ago"). */
        public Integer exitCode() {
            Matcher matcher = EXITED.matcher(status);
            return matcher.find() ? Integer.valueOf(matcher.group(1)) : null;
        }
    }

    private final ContainerSettings settings;
    private final DockerCli cli;
    /** What the engine said of its memory; null until asked. */
    private volatile OptionalLong memoryTotal;
    private final ObjectMapper mapper = new ObjectMapper();

    public ContainerEngine(ContainerSettings settings, Map<String, String> daemonEnvironment) {
        this.settings = settings;
        this.cli = new DockerCli(settings, daemonEnvironment);
    }

    public ContainerSettings settings() {
        return settings;
    }

    /** The engine's address as the docker CLI will try it. */
    public String address() {
        return settings.address();
    }

    /** The environment docker runs with: the daemon's, with the engine's address. */
    public Map<String, String> environment() {
        return cli.environment();
    }

    /** The docker binary on the daemon's PATH, or a refusal that says how to get it. */
    public String binary() throws EngineException {
        return cli.binary();
    }

    /** The argv of a docker client the daemon runs in a PTY of its own ({@code start -ai}, {@code attach}, {@code exec -it}). */
    public List<String> argv(List<String> args) throws EngineException {
        return cli.argv(args);
    }

    /** The image's labels, or empty when the engine has no such image. */
    public Optional<Map<String, String>> imageLabels(String ref) throws EngineException {
        DockerCli.Result result = run(List.of("image", "inspect", "--format", "{{json .Config.Labels}}", ref), CALL_TIMEOUT);
        if (result.code() != 0) {
            if (result.err().toLowerCase(Locale.ROOT).contains("no such image")) {
                return Optional.empty();
            }
            throw failed("inspect image " + ref, result);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        try {
            JsonNode node = mapper.readTree(result.out());
            node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        } catch (IOException e) {
            throw new EngineException(ErrorCode.UNAVAILABLE, "docker answered '" + result.out().strip()
                    + "' for the labels of " + ref);
        }
        return Optional.of(labels);
    }

    /**
     * The engine's memory in bytes ({@code docker info}'s {@code MemTotal}), asked once and kept:
     * empty when the engine does not answer or does not say.
     */
    public OptionalLong memoryTotal() {
        OptionalLong known = memoryTotal;
        if (known != null) {
            return known;
        }
        OptionalLong answer = OptionalLong.empty();
        try {
            DockerCli.Result result = run(List.of("info", "--format", "{{.MemTotal}}"), CALL_TIMEOUT);
            if (result.code() == 0) {
                answer = parseMemTotal(result.out());
            }
        } catch (EngineException e) {
            log.debug("docker info did not answer: {}", e.getMessage());
            return answer;
        }
        memoryTotal = answer;
        return answer;
    }

    static OptionalLong parseMemTotal(String out) {
        try {
            long bytes = Long.parseLong(out.strip());
            return bytes > 0 ? OptionalLong.of(bytes) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The image's id, or empty when there is none. */
    public Optional<String> imageId(String ref) throws EngineException {
        DockerCli.Result result = run(List.of("image", "inspect", "--format", "{{.Id}}", ref), CALL_TIMEOUT);
        return result.code() == 0 ? Optional.of(result.out().strip()) : Optional.empty();
    }

    /** {@code docker create ARGS}: the new container's id. */
    public String create(List<String> args) throws EngineException {
        List<String> argv = new ArrayList<>(List.of("create"));
        argv.addAll(args);
        DockerCli.Result result = run(argv, CALL_TIMEOUT);
        if (result.code() != 0) {
            throw new EngineException(ErrorCode.BAD_REQUEST, "the Docker engine at " + address()
                    + " refused to create the container: " + result.output());
        }
        return result.out().strip();
    }

    /** The container's state, or empty when the engine has no such container. */
    public Optional<State> state(String container) throws EngineException {
        DockerCli.Result result = run(List.of("inspect", "--type", "container", "--format", "{{json .State}}", container), CALL_TIMEOUT);
        if (result.code() != 0) {
            if (absent(result)) {
                return Optional.empty();
            }
            throw failed("inspect container " + container, result);
        }
        try {
            JsonNode state = mapper.readTree(result.out());
            return Optional.of(new State(state.path("Status").asText(""), state.path("Running").asBoolean(false),
                    state.path("Pid").asLong(0), state.path("ExitCode").asInt(-1), state.path("Error").asText(""),
                    !state.path("StartedAt").asText(NEVER).startsWith("0001-"), state.path("OOMKilled").asBoolean(false)));
        } catch (IOException e) {
            throw new EngineException(ErrorCode.UNAVAILABLE, "docker answered '" + result.out().strip()
                    + "' for the state of " + container);
        }
    }

    /**
     * True once the container runs a process other than docker's init: the command itself has
     * started (rather than failing to exec, which ends the container with 126 or 127).
     */
    public boolean commandStarted(String container) throws EngineException {
        DockerCli.Result result = run(List.of("top", container, "-o", "pid,args"), CALL_TIMEOUT);
        if (result.code() != 0) {
            if (absent(result) || result.err().contains("is not running")) {
                return false;
            }
            // The engine cannot list processes (it runs ps on its host): running is all it can say.
            log.debug("docker top {} failed ({}); taking the running container as started", container, result.output());
            return true;
        }
        String[] lines = result.out().split("\n");
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isBlank() && !lines[i].contains("docker-init")) {
                return true;
            }
        }
        return false;
    }

    /** {@code docker kill --signal SIG}: the engine delivers it to the container's init, which passes it on. */
    public void kill(String container, String signal) throws EngineException {
        DockerCli.Result result = run(List.of("kill", "--signal", signal, container), CALL_TIMEOUT);
        if (result.code() != 0) {
            throw failed("signal " + container, result);
        }
    }

    /** Removes the container (and its anonymous volumes), running or not; no such container is not an error. */
    public void remove(String container) throws EngineException {
        DockerCli.Result result = run(List.of("rm", "--force", "--volumes", container), CALL_TIMEOUT);
        if (result.code() != 0 && !absent(result)) {
            throw failed("remove " + container, result);
        }
    }

    /** Every container that carries the owner label, running or not: one {@code docker ps -a}. */
    public List<Listed> listOwned(String owner) throws EngineException {
        DockerCli.Result result = run(List.of("ps", "--all", "--no-trunc", "--filter", "label=" + Labels.OWNER + "=" + owner,
                "--format", LIST_FORMAT), CALL_TIMEOUT);
        if (result.code() != 0) {
            throw failed("list containers", result);
        }
        List<Listed> listed = new ArrayList<>();
        for (String line : result.out().split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length == 10 && !f[0].isEmpty()) {
                listed.add(new Listed(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]));
            }
        }
        return listed;
    }

    /**
     * True when the container's init could not run its command: the image's entry point or the
     * command is missing or not executable. A command that ran and ended is not this.
     */
    public boolean commandNeverRan(String container, State state) throws EngineException {
        if (state.failedToStart() || !state.everStarted()) {
            return true;
        }
        return state.mayBeExecFailure() && logTail(container, 5).contains(INIT_EXEC_FAILED);
    }

    /** The container's last {@code lines} lines of output, as {@code docker logs --tail} gives them. */
    public String logTail(String container, int lines) throws EngineException {
        DockerCli.Result result = run(List.of("logs", "--tail", Integer.toString(lines), container), CALL_TIMEOUT);
        return result.code() == 0 ? result.out() + result.err() : "";
    }

    /** {@code docker commit}: the container's filesystem as a new image; answers its id. */
    public String commit(String container, String image, List<String> changes) throws EngineException {
        List<String> argv = new ArrayList<>(List.of("commit"));
        for (String change : changes) {
            argv.add("--change");
            argv.add(change);
        }
        argv.add(container);
        argv.add(image);
        DockerCli.Result result = run(argv, BUILD_TIMEOUT);
        if (result.code() != 0) {
            throw failed("commit " + container + " to " + image, result);
        }
        return result.out().strip();
    }

    /** {@code docker run ARGS}, for a short look inside an image; the caller reads the result. */
    DockerCli.Result runOnce(List<String> args) throws EngineException {
        List<String> argv = new ArrayList<>(List.of("run"));
        argv.addAll(args);
        return run(argv, CALL_TIMEOUT);
    }

    /** {@code docker build ARGS} with a long timeout; the caller reads the result. */
    DockerCli.Result build(List<String> args) throws EngineException {
        List<String> argv = new ArrayList<>(List.of("build"));
        argv.addAll(args);
        return run(argv, BUILD_TIMEOUT);
    }

    private static boolean absent(DockerCli.Result result) {
        String err = result.err().toLowerCase(Locale.ROOT);
        return err.contains("no such container") || err.contains("no such object");
    }

    private EngineException failed(String what, DockerCli.Result result) {
        return cli.failed(what, result);
    }

    private DockerCli.Result run(List<String> args, Duration timeout) throws EngineException {
        return cli.run(args, timeout);
    }
}
