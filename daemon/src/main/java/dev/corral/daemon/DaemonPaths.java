package dev.corral.daemon;

import dev.corral.protocol.Endpoint;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the daemon keeps its socket and state: flag, then {@code CORRAL_*} variable, then the
 * XDG default ({@code $XDG_STATE_HOME/corral}, else {@code ~/.local/state/corral}).
 */
public record DaemonPaths(Path socket, boolean socketIsDefault, Path stateDir) {

    public static DaemonPaths resolve(String socketFlag, String stateDirFlag, Map<String, String> env) {
        Endpoint endpoint = Endpoint.resolve(socketFlag, env);
        Path state;
        if (present(stateDirFlag)) {
            state = Path.of(stateDirFlag);
        } else if (present(env.get("CORRAL_STATE_DIR"))) {
            state = Path.of(env.get("CORRAL_STATE_DIR"));
        } else if (present(env.get("XDG_STATE_HOME"))) {
            state = Path.of(env.get("XDG_STATE_HOME"), "corral");
        } else {
            state = home(env).resolve(".local/state/corral");
        }
        return new DaemonPaths(endpoint.socket(), endpoint.isDefault(), state.toAbsolutePath());
    }

    /** The user's home: {@code $HOME} as the shell and every XDG tool take it, else Java's {@code user.home}. */
    public static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(present(home) ? home : System.getProperty("user.home"));
    }

    public Path logDir() {
        return stateDir.resolve("log");
    }

    /** The event journal's segments. */
    public Path eventsDir() {
        return stateDir.resolve("events");
    }

    /** Held for the daemon's whole life: whoever holds it owns the socket. */
    public Path lockFile() {
        return socket.resolveSibling(socket.getFileName() + ".lock");
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    public static int currentUid() {
        return Endpoint.currentUid();
    }
}
