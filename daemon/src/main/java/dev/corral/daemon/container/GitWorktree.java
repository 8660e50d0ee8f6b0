package dev.corral.daemon.container;

import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A linked git worktree as git leaves it on disk: the worktree's {@code .git} file points at its
 * own git dir ({@code COMMON/worktrees/NAME}), whose {@code commondir} file points at the shared
 * repository. Read from those files, so no git binary is needed.
 *
 * @param gitDir    the worktree's own git dir (its HEAD, index, and the {@code gitdir} back-pointer)
 * @param commonDir the repository's git dir shared by every worktree (objects, refs, config)
 */
public record GitWorktree(Path gitDir, Path commonDir) {

    /** The worktree whose top directory is {@code workspace}, or empty when its {@code .git} is not a worktree's pointer file. */
    public static Optional<GitWorktree> of(Path workspace) throws EngineException {
        Path pointer = workspace.resolve(".git");
        if (!Files.isRegularFile(pointer, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(pointer, StandardCharsets.UTF_8).strip();
            if (!text.startsWith("gitdir:")) {
                return Optional.empty();
            }
            Path gitDir = workspace.resolve(text.substring("gitdir:".length()).strip()).normalize();
            if (!Files.isDirectory(gitDir)) {
                throw refused(pointer + " points at " + gitDir + ", which does not exist (was the worktree pruned?)");
            }
            Path commonFile = gitDir.resolve("commondir");
            Path common = Files.isRegularFile(commonFile)
                    ? gitDir.resolve(Files.readString(commonFile, StandardCharsets.UTF_8).strip()).normalize() : gitDir;
            if (!Files.isDirectory(common)) {
                throw refused("the common git dir of worktree " + workspace + " (" + common + ") does not exist");
            }
            gitDir = gitDir.toRealPath();
            common = common.toRealPath();
            if (!gitDir.startsWith(common) || gitDir.equals(common)) {
                throw refused("the git dir of worktree " + workspace + " (" + gitDir + ") is not inside its common dir ("
                        + common + "); corral cannot map that layout into a container");
            }
            return Optional.of(new GitWorktree(gitDir, common));
        } catch (IOException e) {
            throw refused("cannot read the git worktree pointer " + pointer + ": " + e.getMessage());
        }
    }

    /** The worktree's git dir relative to the common dir: {@code worktrees/NAME}. */
    public Path gitDirInCommon() {
        return commonDir.relativize(gitDir);
    }

    private static EngineException refused(String message) {
        return new EngineException(ErrorCode.BAD_REQUEST, message);
    }
}
