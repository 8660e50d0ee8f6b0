package dev.corral.daemon.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.state.AtomicFiles;
import dev.corral.daemon.state.FileTrees;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files corral renders for one agent session, in a directory of its own under
 * {@code STATE/agents/} ({@code <profile>-<id>/prompt.md}, and {@code mcp.json} when the profile
 * has an {@code mcp} table): written atomically, never through a symbolic link planted there,
 * deleted with the session.
 */
final class AgentFiles {
    private static final Logger log = LoggerFactory.getLogger(AgentFiles.class);
    /** A prompt file larger than this is refused: it is text for a model, not a data set. */
    static final long MAX_PROMPT_BYTES = 16L * 1024 * 1024;

    /** One session's rendered files; {@code mcp} is null when the profile has no MCP servers. */
    record Rendered(Path dir, Path prompt, Path mcp) {}

    private final Path root;
    private final ObjectMapper mapper;

    AgentFiles(Path stateDir, ObjectMapper mapper) {
        this.root = stateDir.resolve("agents");
        this.mapper = mapper;
    }

    /** The prompt file's text; empty without a file. */
    String readPrompt(Path file) throws Refusal {
        if (file == null) {
            return "";
        }
        try {
            if (!Files.isRegularFile(file)) {
                throw new Refusal(ErrorCode.BAD_REQUEST, "prompt file " + file + " is not a readable file");
            }
            if (Files.size(file) > MAX_PROMPT_BYTES) {
                throw new Refusal(ErrorCode.BAD_REQUEST, "prompt file " + file + " is larger than "
                        + MAX_PROMPT_BYTES / (1024 * 1024) + " MiB");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "cannot read prompt file " + file + ": " + e.getMessage());
        }
    }

    /** Writes the prompt and the profile's MCP config into a fresh directory; nothing is left behind when that fails. */
    Rendered render(Profile profile, String prompt) throws Refusal {
        Path dir = sessionDir(profile.name() + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Path promptPath = dir.resolve("prompt.md");
            AtomicFiles.write(promptPath, prompt.getBytes(StandardCharsets.UTF_8));
            Path mcpPath = null;
            if (!profile.mcp().isEmpty()) {
                mcpPath = dir.resolve("mcp.json");
                AtomicFiles.write(mcpPath, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(mcpConfig(profile)));
            }
            return new Rendered(dir, promptPath, mcpPath);
        } catch (IOException e) {
            delete(dir);
            throw new Refusal(ErrorCode.INTERNAL, "could not write the agent's files in " + dir + ": " + e.getMessage());
        }
    }

    /** The MCP config agents read: {@code {"mcpServers": {...}}} from the profile's {@code mcp.servers} (or the whole table). */
    private static Map<String, Object> mcpConfig(Profile profile) {
        Object servers = profile.mcp().getOrDefault("servers", profile.mcp());
        return Map.of("mcpServers", servers);
    }

    /**
     * Creates {@code STATE/agents/ID/}, refusing a symbolic link planted at either level: the
     * daemon must never write its files where a link would take them.
     */
    private Path sessionDir(String id) throws Refusal {
        Path dir = root.resolve(id);
        try {
            for (Path level : List.of(root, dir)) {
                if (Files.isSymbolicLink(level)) {
                    throw new Refusal(ErrorCode.BAD_REQUEST, level + " is a symbolic link; corral refuses to write agent"
                            + " files through it. Remove it and spawn again");
                }
                if (!Files.exists(level, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(level);
                } else if (!Files.isDirectory(level, LinkOption.NOFOLLOW_LINKS)) {
                    throw new Refusal(ErrorCode.BAD_REQUEST, level + " is not a directory");
                }
            }
            return dir;
        } catch (IOException e) {
            throw new Refusal(ErrorCode.INTERNAL, "cannot create " + dir + ": " + e.getMessage());
        }
    }

    /** Removes a session's directory and what is in it. */
    void delete(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            log.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
