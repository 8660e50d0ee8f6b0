package dev.corral.daemon;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the daemon keeps its socket and state, resolved once from flags and the environment
 * in the order the SPEC gives: flag, then {@code CORRAL_*} variable, then the XDG default.
 */
public record DaemonPaths(Path socket, boolean socketIsDefault, Path stateDir) {

    public static DaemonPaths resolve(String socketFlag, String stateDirFlag, Map<String, String> env) {
        String uid = String.valueOf(currentUid());
        Path socket;
        boolean isDefault = false;
        if (present(socketFlag)) {
            socket = Path.of(socketFlag);
        } else if (present(env.get("CORRAL_SOCKET"))) {
            socket = Path.of(env.get("CORRAL_SOCKET"));
        } else if (present(env.get("XDG_RUNTIME_DIR"))) {
            socket = Path.of(env.get("XDG_RUNTIME_DIR"), "corral", "corral.sock");
            isDefault = true;
        } else {
            socket = Path.of("/tmp", "corral-" + uid, "corral.sock");
            isDefault = true;
        }
        Path state;
        if (present(stateDirFlag)) {
            state = Path.of(stateDirFlag);
        } else if (present(env.get("CORRAL_STATE_DIR"))) {
            state = Path.of(env.get("CORRAL_STATE_DIR"));
        } else if (present(env.get("XDG_STATE_HOME"))) {
            state = Path.of(env.get("XDG_STATE_HOME"), "corral");
        } else {
            state = Path.of(System.getProperty("user.home"), ".local", "state", "corral");
        }
        return new DaemonPaths(socket.toAbsolutePath(), isDefault, state.toAbsolutePath());
    }

    public Path logDir() {
        return stateDir.resolve("log");
    }

    /** Held for the daemon's whole life: whoever holds it owns the socket. */
    public Path lockFile() {
        return socket.resolveSibling(socket.getFileName() + ".lock");
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    /** The uid this process runs as, read from /proc (Linux) without native code. */
    public static int currentUid() {
        try {
            return (Integer) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (Exception e) {
            return -1;
        }
    }
}
