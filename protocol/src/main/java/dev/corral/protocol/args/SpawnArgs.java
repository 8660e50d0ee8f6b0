package dev.corral.protocol.args;

import dev.corral.protocol.Protocol;
import java.util.List;
import java.util.Map;

/**
 * {@code session.spawn}: a command (or an agent profile) to start in a new session of a kind
 * (pty when absent), optionally in a workspace ({@code cwd} then relative to it), and a
 * container's image, memory limit and issue label.
 */
public record SpawnArgs(String name, List<String> command, String agent, String kind, Map<String, String> env,
        String workspace, String cwd, boolean force, String image, String memory, Integer issue, Integer cols,
        Integer rows, String promptFile) {
    private static final List<String> KINDS = List.of("pty", "tmux", "container");

    public SpawnArgs {
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : env;
        for (String variable : env.keySet()) {
            if (variable.isEmpty() || variable.contains("=")) {
                throw new InvalidArgument("env", "args.env must map names (without '=') to strings, not '" + variable + "'");
            }
        }
        if (kind != null && !KINDS.contains(kind)) {
            throw new InvalidArgument("kind", "unknown session kind '" + kind + "': use pty, tmux or container");
        }
        Check.matches("image", image, Check.IMAGE_REFERENCE, "an image reference");
        Check.matches("memory", memory, Check.MEMORY, "a size: a number with an optional unit b, k, m or g (512m, 4g)");
        issue = Check.atLeast("issue", issue, 1);
        cols = Check.range("cols", cols, 80, 1, Protocol.MAX_TERMINAL_SIZE);
        rows = Check.range("rows", rows, 24, 1, Protocol.MAX_TERMINAL_SIZE);
        Check.absolute("promptFile", promptFile);
    }
}
