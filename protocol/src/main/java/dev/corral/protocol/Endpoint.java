package dev.corral.protocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the daemon listens. Part of the contract, so client and daemon agree: the
 * {@code --socket} flag, else {@code CORRAL_SOCKET}, else {@code $XDG_RUNTIME_DIR/corral/corral.sock},
 * else {@code /tmp/corral-$UID/corral.sock}.
 */
public record Endpoint(Path socket, boolean isDefault) {

    public static Endpoint resolve(String socketFlag, Map<String, String> env) {
        if (present(socketFlag)) {
            return new Endpoint(Path.of(socketFlag).toAbsolutePath(), false);
        }
        if (present(env.get("CORRAL_SOCKET"))) {
            return new Endpoint(Path.of(env.get("CORRAL_SOCKET")).toAbsolutePath(), false);
        }
        if (present(env.get("XDG_RUNTIME_DIR"))) {
            return new Endpoint(Path.of(env.get("XDG_RUNTIME_DIR"), "corral", "corral.sock"), true);
        }
        return new Endpoint(Path.of("/tmp", "corral-" + currentUid(), "corral.sock"), true);
    }

    /** The lock file a starting client holds, so that only one of many starts the daemon. */
    public Path startLock() {
        return socket.resolveSibling(socket.getFileName() + ".start.lock");
    }

    static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    /** The uid this process runs as, read from /proc without native code; -1 where there is none. */
    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (Exception | Error e) {
            return -1;
        }
    }
}
