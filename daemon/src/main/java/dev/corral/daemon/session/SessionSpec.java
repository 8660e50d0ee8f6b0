package dev.corral.daemon.session;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to run in a new session, as the spawn request asked for it (already validated).
 *
 * @param workspace the workspace directory (a real path), or null
 * @param container the container's options, for kind {@link Kind#CONTAINER} only
 */
public record SessionSpec(String name, Kind kind, List<String> command, Path cwd, Map<String, String> env,
        int cols, int rows, Path workspace, Container container) {

    /** Where the program runs. */
    public enum Kind {
        PTY, TMUX, CONTAINER;

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

    /**
     * A container session's options.
     *
     * @param image  the image reference
     * @param memory the memory limit as docker takes it ({@code 4g}, {@code 512m}), or null for automatic
     * @param issue  the issue the session works on, for the container's label, or null
     * @param files  host files mounted read-only inside, by their path inside (an agent's prompt and MCP config)
     */
    public record Container(String image, String memory, Integer issue, Map<String, Path> files) {
        public Container {
            files = files == null ? Map.of() : Map.copyOf(files);
        }

        public Container(String image, String memory, Integer issue) {
            this(image, memory, issue, Map.of());
        }

        public Container withMemory(String newMemory) {
            return new Container(image, newMemory, issue, files);
        }

        public Container withImage(String newImage) {
            return new Container(newImage, memory, issue, files);
        }

        public Container withFiles(Map<String, Path> newFiles) {
            return new Container(image, memory, issue, newFiles);
        }
    }

    public SessionSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }

    public SessionSpec(String name, Kind kind, List<String> command, Path cwd, Map<String, String> env, int cols, int rows) {
        this(name, kind, command, cwd, env, cols, rows, null, null);
    }

    public SessionSpec withName(String newName) {
        return new SessionSpec(newName, kind, command, cwd, env, cols, rows, workspace, container);
    }

    public SessionSpec withContainer(Container newContainer) {
        return new SessionSpec(name, kind, command, cwd, env, cols, rows, workspace, newContainer);
    }
}
