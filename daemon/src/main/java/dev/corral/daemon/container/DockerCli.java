package dev.corral.daemon.container;

import dev.corral.daemon.process.ProgramCall;
import dev.corral.daemon.process.ProgramPath;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one docker call is made: the docker binary on the daemon's PATH, an argv run with
 * commons-exec and a timeout (no shell ever sees user text), the engine's address in its
 * environment. The failures that are the same for every call are sorted here: no docker binary
 * ({@code MISSING_DEPENDENCY}), no engine answering at the address or no answer in time
 * ({@code UNAVAILABLE}, naming the address). What a call means is {@link ContainerEngine}'s.
 */
final class DockerCli {
    private static final Logger log = LoggerFactory.getLogger(DockerCli.class);

    /** The exit status and output of one docker call. */
    record Result(int code, String out, String err) {
        /** What the call printed, stdout then stderr, for a message. */
        String output() {
            return (out + err).strip();
        }
    }

    private final ContainerSettings settings;
    private final Map<String, String> environment;

    DockerCli(ContainerSettings settings, Map<String, String> daemonEnvironment) {
        this.settings = settings;
        Map<String, String> env = new HashMap<>(daemonEnvironment);
        if (settings.dockerHost() != null) {
            env.put("DOCKER_HOST", settings.dockerHost());
        }
        env.put("DOCKER_CLI_HINTS", "false");
        this.environment = Map.copyOf(env);
    }

    /** The environment docker runs with: the daemon's, with the engine's address. */
    Map<String, String> environment() {
        return environment;
    }

    /** The docker binary on the daemon's PATH, or a refusal that says how to get it. */
    String binary() throws EngineException {
        String path = environment.getOrDefault("PATH", "");
        Optional<Path> found = ProgramPath.find("docker", path, null);
        if (found.isPresent()) {
            return found.get().toString();
        }
        throw new EngineException(ErrorCode.MISSING_DEPENDENCY, "docker is not installed: no 'docker' on the daemon's PATH ("
                + path + "); install the Docker CLI (Debian/Ubuntu: apt-get install docker.io), then restart the daemon");
    }

    /** {@code docker ARGS} as an argv. */
    List<String> argv(List<String> args) throws EngineException {
        List<String> argv = new ArrayList<>();
        argv.add(binary());
        argv.addAll(args);
        return argv;
    }

    /** One docker call. A missing binary and an engine that does not answer are refusals here, for every caller. */
    Result run(List<String> args, Duration timeout) throws EngineException {
        ProgramCall.Outcome outcome;
        try {
            outcome = ProgramCall.run(argv(args), environment, timeout);
        } catch (IOException e) {
            throw new EngineException(ErrorCode.MISSING_DEPENDENCY, "docker did not run: " + e.getMessage());
        }
        if (outcome.timedOut()) {
            throw new EngineException(ErrorCode.UNAVAILABLE, "the Docker engine at " + settings.address()
                    + " did not answer 'docker " + args.get(0) + "' within " + timeout.toSeconds() + " s");
        }
        Result result = new Result(outcome.code(), outcome.out(), outcome.err());
        if (outcome.code() != 0) {
            log.debug("docker {} exited {}: {}", args.get(0), outcome.code(), result.err().strip());
            if (DockerErrors.engineDown(result.err())) {
                throw new EngineException(ErrorCode.UNAVAILABLE, "no Docker engine answers at " + settings.address() + " (from "
                        + settings.hostSource() + "): " + DockerErrors.errorLine(result.err()) + "; start the engine, or point "
                        + "corrald at one with DOCKER_HOST or --docker-host");
            }
        }
        return result;
    }

    /** A call the engine refused: its words, with the engine's address. */
    EngineException failed(String what, Result result) {
        return new EngineException(ErrorCode.UNAVAILABLE, "docker could not " + what + " (engine " + settings.address() + "): "
                + result.output());
    }
}
