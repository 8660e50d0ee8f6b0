package dev.corral.protocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the daemon listens. Part of the contract, so client and daemon agree: the
 * {@code --socket} flag, else {@code CORRAL_SOCKET}, else {@code $XDG_RUNTIME_DIR/corral/corral.sock},
 * else {@code /tmp/corral-$UID/corral.sock}.
 */
public record Endpoint(Path socket, boolean isDefault, boolean sharedDirectory) {

    public Endpoint(Path socket, boolean isDefault) {
        this(socket, isDefault, false);
    }

    /** {@code CORRAL_SOCKET_DIR_SHARED=1} allows a shared socket directory, as {@code --socket-dir-shared} does. */
    public static Endpoint resolve(String socketFlag, Map<String, String> env) {
        boolean shared = "1".equals(env.get("CORRAL_SOCKET_DIR_SHARED"));
        if (present(socketFlag)) {
            return new Endpoint(Path.of(socketFlag).toAbsolutePath(), false, shared);
        }
        if (present(env.get("CORRAL_SOCKET"))) {
            return new Endpoint(Path.of(env.get("CORRAL_SOCKET")).toAbsolutePath(), false, shared);
        }
        if (present(env.get("XDG_RUNTIME_DIR"))) {
            return new Endpoint(Path.of(env.get("XDG_RUNTIME_DIR"), "corral", "corral.sock"), true, shared);
        }
        return new Endpoint(Path.of("/tmp", "corral-" + currentUid(), "corral.sock"), true, shared);
    }

    /** This endpoint, with a shared socket directory allowed when {@code shared} (the --socket-dir-shared flag). */
    public Endpoint allowingSharedDirectory(boolean shared) {
        return shared ? new Endpoint(socket, isDefault, true) : this;
    }

    /**
     * Why the socket's existing directory must not be used, or null: it is a symlink or not a
     * directory, another user's, or (unless the directory is the default one, which is made
     * 0700, or {@link #sharedDirectory}) writable by its group or others, who could plant links
     * there. (A directory others may only read, 0755, lets nobody plant anything.) Client and daemon ask
     * the same question, so neither writes its files beside the socket where someone else could
     * plant links.
     */
    public String directoryProblem() throws java.io.IOException {
        Path dir = socket.getParent();
        Map<String, Object> attributes = Files.readAttributes(dir, "unix:isSymbolicLink,isDirectory,uid,mode",
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (Boolean.TRUE.equals(attributes.get("isSymbolicLink")) || !Boolean.TRUE.equals(attributes.get("isDirectory"))) {
            return "socket directory " + dir + " is not a directory (or is a symlink)";
        }
        int me = currentUid();
        if (me >= 0 && attributes.get("uid") instanceof Integer owner && owner != me) {
            return "socket directory " + dir + " belongs to uid " + owner + ", not to this user (uid " + me
                    + "); choose another --socket";
        }
        int mode = (Integer) attributes.get("mode") & 07777;
        if ((mode & 0022) != 0 && !isDefault && !sharedDirectory) {
            return "socket directory " + dir + " has mode " + Integer.toOctalString(mode) + ": others can write to it and "
                    + "could plant links beside the socket; use a directory of your own (chmod 700), or say "
                    + "--socket-dir-shared to accept the risk";
        }
        return null;
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
