package dev.corral.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real, private Docker engine for one test class, started and stopped by src-test/docker/engine.sh:
 * its own dockerd on its own socket, data and exec roots, no bridge and no iptables rules, holding
 * the image corral-busybox:latest (FROM scratch, Debian's static busybox). Containers on it need
 * --network none.
 */
public final class DockerEngine implements AutoCloseable {
    /** The image the set-up builds. */
    public static final String BUSYBOX = "corral-busybox:latest";
    /** Installing docker.io on a fresh machine takes a while; starting the engine, seconds. */
    private static final Duration START_DEADLINE = Duration.ofMinutes(10);

    private final Path dir;
    private final String host;

    private DockerEngine(Path dir, String host) {
        this.dir = dir;
        this.host = host;
    }

    /** Starts the engine, or fails the tests with the script's words: they are never skipped for want of one. */
    public static DockerEngine start() throws IOException {
        // Under /tmp: the engine's sockets live in this directory, and a Unix socket's path is short.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "corral-engine-");
        Run.Result started = Run.command(Map.of("CORRAL_ENGINE_CACHE", cache().resolve("engine").toString()), START_DEADLINE,
                List.of(script().toString(), "start", dir.toString()));
        String host = started.out().lines().filter(line -> line.startsWith("DOCKER_HOST=")).findFirst()
                .map(line -> line.substring("DOCKER_HOST=".length())).orElse(null);
        if (started.exit() != 0 || host == null) {
            Run.command(Map.of(), START_DEADLINE, List.of(script().toString(), "stop", dir.toString()));
            throw new AssertionError("the private Docker engine did not start (src-test/docker/engine.sh):\n" + started);
        }
        return new DockerEngine(dir, host);
    }

    /**
     * The tests' cache between runs, outside the checkout so a clean clone finds it too: the
     * engine's images and build cache, the debootstrapped Debian base.
     */
    public static Path cache() {
        String explicit = System.getenv("CORRAL_TEST_CACHE");
        if (explicit != null && !explicit.isEmpty()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("corral-tests");
    }

    /**
     * A Debian bookworm base image in this engine, made without a registry (src-test/docker/debian-base.sh:
     * debootstrap --variant=minbase, cached, then docker import); answers its name.
     */
    public String debianBase() {
        Run.Result made = Run.command(Map.of("CORRAL_TEST_CACHE", cache().toString()), START_DEADLINE,
                List.of(Repo.home().resolve("src-test/docker/debian-base.sh").toString(), host));
        if (made.exit() != 0) {
            throw new AssertionError("the Debian base image was not made (src-test/docker/debian-base.sh):\n" + made);
        }
        return made.out().strip();
    }

    private static Path script() {
        return Repo.home().resolve("src-test/docker/engine.sh");
    }

    /** The engine's address, for DOCKER_HOST. */
    public String host() {
        return host;
    }

    /** Runs the docker CLI against this engine. */
    public Run.Result docker(String... args) {
        List<String> argv = new ArrayList<>(List.of("docker"));
        argv.addAll(List.of(args));
        return Run.command(Map.of("DOCKER_HOST", host), Sandbox.COMMAND_DEADLINE, argv);
    }

    /** Stops the engine by its pid (its containers with it) and removes its directory. */
    @Override
    public void close() {
        Run.Result stopped = Run.command(Map.of(), Duration.ofMinutes(1), List.of(script().toString(), "stop", dir.toString()));
        if (stopped.exit() != 0) {
            throw new AssertionError("the private Docker engine did not stop:\n" + stopped);
        }
    }
}
