package dev.corral.daemon.session;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What to run in a new session, as the spawn request asked for it (already validated). */
public record SessionSpec(String name, Kind kind, List<String> command, Path cwd, Map<String, String> env,
        int cols, int rows) {

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

    public SessionSpec withName(String newName) {
        return new SessionSpec(newName, kind, command, cwd, env, cols, rows);
    }
}
