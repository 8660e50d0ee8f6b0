package dev.corral.daemon.container;

import dev.corral.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the daemon asks the Docker engine about its container sessions, apart from running one:
 * the image check before a start, the programs an image lacks, {@code docker commit}, the list of
 * this daemon's containers, and the argv of the docker clients it runs in PTYs (logs, a shell).
 */
public final class ContainerOperations {
    private static final Logger log = LoggerFactory.getLogger(ContainerOperations.class);

    private final ContainerEngine engine;
    private final AgentImage images;
    /** This daemon's value of the owner label on its containers. */
    private final String owner;

    public ContainerOperations(ContainerEngine engine, AgentImage images, String owner) {
        this.engine = engine;
        this.images = images;
        this.owner = owner;
    }

    public ContainerEngine engine() {
        return engine;
    }

    public AgentImage images() {
        return images;
    }

    public String owner() {
        return owner;
    }

    /**
     * Refuses an image the engine does not hold (corral never pulls one), saying how to build it;
     * answers a warning when the image is older than what {@code corral image build} would make.
     */
    public Optional<String> checkImage(String image) throws EngineException {
        Map<String, String> labels = engine.imageLabels(image).orElseThrow(() -> notInEngine(image));
        return images.staleness(image, labels);
    }

    private EngineException notInEngine(String image) {
        return new EngineException(ErrorCode.MISSING_DEPENDENCY, "image " + image + " is not in the Docker engine at "
                + engine.address() + " (corral never pulls one); build it with '" + buildCommand(image)
                + "', or name another with --image");
    }

    /**
     * The programs of {@code binaries} the image lacks, by one {@code docker run --rm} of its
     * {@code sh}: an agent's CLI is looked for where it will run, not on the host.
     */
    public List<String> missingInImage(String image, List<String> binaries) throws EngineException {
        if (binaries.isEmpty()) {
            return List.of();
        }
        engine.imageLabels(image).orElseThrow(() -> notInEngine(image));
        List<String> args = new ArrayList<>(List.of("--rm", "--pull=never", "--network", "none", "--entrypoint", "sh", image,
                "-c", "for b in \"$@\"; do command -v \"$b\" >/dev/null 2>&1 || echo \"$b\"; done", "sh"));
        args.addAll(binaries);
        DockerCli.Result result = engine.runOnce(args);
        if (result.code() != 0) {
            throw new EngineException(ErrorCode.UNAVAILABLE, "could not look for " + binaries + " in image " + image
                    + " (docker run --entrypoint sh): " + result.output().strip());
        }
        return result.out().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    static String buildCommand(String image) {
        if (image.startsWith(AgentImage.REPOSITORY + ":")) {
            String tag = image.substring(AgentImage.REPOSITORY.length() + 1);
            return tag.equals(AgentImage.DEFAULT_TAG) ? "corral image build" : "corral image build --tag " + tag;
        }
        return "docker build --tag " + image + " DIR";
    }

    /** Every container of this daemon that the engine holds, running or not: one {@code docker ps -a}. */
    public List<ContainerEngine.Listed> containers() throws EngineException {
        return engine.listOwned(owner);
    }

    /** {@code docker commit}: the container of session {@code session} as the image {@code corral-agent:TAG}. */
    public Map<String, Object> snapshot(String container, String session, String tag) throws EngineException {
        String image = AgentImage.REPOSITORY + ":" + tag;
        // The container's own labels would pass to the image and so to every container made
        // from it: blank them, and say where the image came from.
        StringBuilder change = new StringBuilder("LABEL " + Labels.SNAPSHOT_OF + "=" + session);
        for (String label : List.of(Labels.OWNER, Labels.SESSION, Labels.SESSION_ID, Labels.TASK, Labels.ISSUE, Labels.WORKSPACE)) {
            change.append(' ').append(label).append("=\"\"");
        }
        String id = engine.commit(container, image, List.of(change.toString()));
        log.info("container {} of session {} saved as {} ({})", container, session, image, id);
        return Map.of("name", session, "container", container, "image", image, "id", id);
    }

    /** The argv of {@code docker logs} of {@code container}: all of it, or its last {@code tail} lines. */
    public List<String> logArgv(String container, boolean follow, Integer tail) throws EngineException {
        List<String> args = new ArrayList<>(List.of("logs"));
        if (follow) {
            args.add("--follow");
        }
        args.add("--tail");
        args.add(tail == null ? "all" : tail.toString());
        args.add(container);
        return engine.argv(args);
    }

    /** The argv of an interactive shell in {@code container} (bash where it has one), for the session {@code name}. */
    public List<String> shellArgv(String container, String name) throws EngineException {
        return engine.argv(List.of("exec", "--interactive", "--tty", "--detach-keys", ContainerEngine.DETACH_KEYS,
                "--env", "CORRAL_SESSION=" + name, "--env", "TERM=xterm-256color", container,
                "sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi"));
    }

    /** What a docker client needs of the daemon's environment beyond PATH: the engine's address. */
    public Map<String, String> clientEnvironment() {
        Map<String, String> env = new HashMap<>();
        if (engine.environment().containsKey("DOCKER_HOST")) {
            env.put("DOCKER_HOST", engine.environment().get("DOCKER_HOST"));
        }
        return env;
    }
}
