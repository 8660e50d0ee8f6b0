package dev.corral.daemon;

import dev.corral.daemon.state.OwnedFiles;
import dev.corral.protocol.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Where the daemon keeps its socket and state: flag, then {@code CORRAL_*} variable, then the
 * XDG default ({@code $XDG_STATE_HOME/corral}, else {@code ~/.local/state/corral}).
 */
public record DaemonPaths(Endpoint endpoint, Path stateDir) {

    public static DaemonPaths resolve(String socketFlag, String stateDirFlag, Map<String, String> env) {
        return resolve(socketFlag, false, stateDirFlag, env);
    }

    /** {@code socketDirShared}: the --socket-dir-shared flag (see {@link Endpoint#directoryProblem}). */
    public static DaemonPaths resolve(String socketFlag, boolean socketDirShared, String stateDirFlag, Map<String, String> env) {
        Endpoint endpoint = Endpoint.resolve(socketFlag, env).allowingSharedDirectory(socketDirShared);
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
        return new DaemonPaths(endpoint, state.toAbsolutePath());
    }

    public Path socket() {
        return endpoint.socket();
    }

    public boolean socketIsDefault() {
        return endpoint.isDefault();
    }

    /** The state directory's folders; each must be a real directory of the daemon's user where it is there. */
    static final List<String> STATE_FOLDERS = List.of("log", "native", "sessions", "events", "agents", "tmux", "containers",
            "image-builds");
    /** Files kept directly in the state directory or its log folder. */
    static final List<String> STATE_FILES = List.of("workspaces.json", "corrald.lock", "log/corrald.log", "log/corrald.1.log",
            "log/corrald.2.log", "log/corrald.3.log", "log/corrald.4.log");

    /**
     * Creates the state directory (0700) with its log and native folders, and refuses one that
     * corral could be led out of: the directory, one of its folders or files a symlink, not of its
     * kind, or another user's ({@link OwnedFiles.UnsafePathException}).
     */
    public void prepareStateDir() throws IOException {
        OwnedFiles.directory(stateDir);
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
        for (String folder : STATE_FOLDERS) {
            Path dir = stateDir.resolve(folder);
            if (folder.equals("log") || folder.equals("native")) {
                OwnedFiles.directory(dir);
            } else if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                OwnedFiles.requireDirectory(dir);
            }
        }
        for (String file : STATE_FILES) {
            OwnedFiles.requirePlainOrMissing(stateDir.resolve(file));
        }
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
        return socket().resolveSibling(socket().getFileName() + ".lock");
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    public static int currentUid() {
        return Endpoint.currentUid();
    }
}
