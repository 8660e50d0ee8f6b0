package dev.corral.daemon.session;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to run in a new session, as the spawn request asked for it (already validated).
 * {@code workspace} is the workspace's real path when the session was spawned into one (then
 * {@code cwd} lies inside it), else null.
 */
public record SessionSpec(String name, Kind kind, List<String> command, Path cwd, Map<String, String> env,
        int cols, int rows, Path workspace) {

    /** Where the program runs. */
    public enum Kind {
        PTY, TMUX;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind fromWire(String value) {
            for (Kind kind : values()) {
                if (kind.wire().equals(value)) {
                    return kind;
                }
            }
            return null;
        }
    }

    public SessionSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }

    /** A session outside any workspace. */
    public SessionSpec(String name, Kind kind, List<String> command, Path cwd, Map<String, String> env, int cols, int rows) {
        this(name, kind, command, cwd, env, cols, rows, null);
    }

    public SessionSpec withName(String newName) {
        return new SessionSpec(newName, kind, command, cwd, env, cols, rows, workspace);
    }
}
