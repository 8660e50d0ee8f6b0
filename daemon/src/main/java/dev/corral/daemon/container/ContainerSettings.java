package dev.corral.daemon.container;

import java.nio.file.Path;
import java.util.Map;

/**
 * How corrald reaches and uses the Docker engine, from its flags, else its environment.
 *
 * @param dockerHost  the engine's address ({@code DOCKER_HOST}); null for the docker CLI's own default
 * @param hostSource  where {@code dockerHost} came from, for error messages
 * @param credentials a file mounted read-only into every container, or null for none
 * @param network     the network containers join ({@code docker create --network}), or null for the engine's default
 */
public record ContainerSettings(String dockerHost, String hostSource, Path credentials, String network) {

    public static ContainerSettings resolve(String hostFlag, String credentialsFlag, String networkFlag, Map<String, String> env) {
        String host = null;
        String source = "the docker CLI's default";
        if (present(hostFlag)) {
            host = hostFlag;
            source = "corrald --docker-host";
        } else if (present(env.get("DOCKER_HOST"))) {
            host = env.get("DOCKER_HOST");
            source = "DOCKER_HOST";
        }
        String credentials = present(credentialsFlag) ? credentialsFlag : env.get("CORRAL_CONTAINER_CREDENTIALS");
        String network = present(networkFlag) ? networkFlag : env.get("CORRAL_CONTAINER_NETWORK");
        return new ContainerSettings(host, source, present(credentials) ? Path.of(credentials).toAbsolutePath() : null,
                present(network) ? network : null);
    }

    /** The address the docker CLI will try, as a user would write it. */
    public String address() {
        return dockerHost != null ? dockerHost : "unix:///var/run/docker.sock";
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
