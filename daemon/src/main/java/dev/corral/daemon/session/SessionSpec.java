package dev.corral.daemon.session;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What to run in a new session, as the spawn request asked for it (already validated). */
public record SessionSpec(String name, List<String> command, Path cwd, Map<String, String> env, int cols, int rows) {
    public SessionSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }
}
