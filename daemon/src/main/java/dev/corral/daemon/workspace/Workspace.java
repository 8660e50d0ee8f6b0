package dev.corral.daemon.workspace;

import dev.corral.daemon.session.Refusal;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A workspace as a spawn asked for it: its real root, the launch directory inside it, and the
 * directory this spawn had to create for it (null when the workspace already existed). Resolving
 * one refuses every way out of the workspace (an absolute {@code --cwd}, a {@code ..} that climbs
 * above the root, a symlink that leads elsewhere) before anything is created or started.
 */
public record Workspace(Path root, Path launchDir, Path created) {

    /** {@code requested} is absolute; {@code cwd} is null or relative to the workspace. */
    public static Workspace resolve(Path requested, String cwd) throws Refusal {
        if (!requested.isAbsolute()) {
            throw refused("the workspace must be an absolute path, got '" + requested + "'");
        }
        Path normal = requested.normalize();
        Path relative = relativeLaunch(normal, cwd);
        Path created = null;
        if (!Files.exists(normal, LinkOption.NOFOLLOW_LINKS)) {
            if (!relative.toString().isEmpty()) {
                throw refused("launch directory '" + cwd + "' does not exist: the workspace " + normal
                        + " does not exist yet either; leave out --cwd to start in a new workspace");
            }
            created = create(normal);
        } else if (!Files.isDirectory(normal)) {
            throw refused("workspace " + normal + " is not a directory" + (Files.isSymbolicLink(normal)
                    ? " (it is a symlink to a missing or non-directory target)" : ""));
        }
        Path root;
        try {
            root = normal.toRealPath();
        } catch (IOException e) {
            throw refused("cannot resolve workspace " + normal + ": " + e.getMessage());
        }
        return new Workspace(root, launchDirectory(root, relative, cwd), created);
    }

    /** The launch directory, relative and lexically normalized; empty for the root. */
    private static Path relativeLaunch(Path workspace, String cwd) throws Refusal {
        if (cwd == null || cwd.isEmpty()) {
            return Path.of("");
        }
        Path given = Path.of(cwd);
        if (given.isAbsolute()) {
            throw refused("--cwd " + cwd + " is an absolute path; with --workspace, --cwd names a directory inside "
                    + "the workspace, relative to it (for example --cwd src)");
        }
        Path normal = given.normalize();
        if (normal.startsWith("..")) {
            throw refused("--cwd " + cwd + " climbs out of the workspace " + workspace + " with '..'; name a directory "
                    + "inside it");
        }
        return normal;
    }

    /**
     * Follows the launch directory one component at a time without following links, so that a
     * symlink leading outside is named in the refusal; then checks the real path as a whole.
     */
    private static Path launchDirectory(Path root, Path relative, String cwd) throws Refusal {
        Path current = root;
        for (Path part : relative) {
            if (part.toString().isEmpty()) {
                continue;
            }
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                Path target;
                try {
                    target = current.toRealPath();
                } catch (IOException e) {
                    throw refused("--cwd " + cwd + ": " + root.relativize(current) + " is a symlink to a missing target");
                }
                if (!target.startsWith(root)) {
                    throw refused("--cwd " + cwd + " leads outside the workspace " + root + ": "
                            + root.relativize(current) + " is a symlink to " + target + "; name a directory inside it");
                }
            } else if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                throw refused("launch directory " + cwd + " does not exist in the workspace " + root);
            }
        }
        Path real;
        try {
            real = current.toRealPath();
        } catch (NoSuchFileException e) {
            throw refused("launch directory " + cwd + " does not exist in the workspace " + root);
        } catch (IOException e) {
            throw refused("cannot resolve launch directory " + cwd + ": " + e.getMessage());
        }
        if (!real.startsWith(root)) {
            throw refused("--cwd " + cwd + " leads outside the workspace " + root + " (to " + real + ")");
        }
        if (!Files.isDirectory(real)) {
            throw refused("launch directory " + cwd + " in the workspace " + root + " is not a directory");
        }
        return real;
    }

    /** Creates the workspace and answers the top-most directory that did not exist before. */
    private static Path create(Path workspace) throws Refusal {
        Path top = workspace;
        while (top.getParent() != null && !Files.exists(top.getParent(), LinkOption.NOFOLLOW_LINKS)) {
            top = top.getParent();
        }
        try {
            Files.createDirectories(workspace);
        } catch (IOException e) {
            throw refused("cannot create workspace " + workspace + ": " + reason(e, top));
        }
        return top;
    }

    /** Why a directory could not be made, in words rather than an exception's class name. */
    private static String reason(IOException e, Path top) {
        Path parent = top.getParent();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied" + (parent == null ? "" : " in " + parent);
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return (e.getMessage() == null ? "a path on the way" : e.getMessage()) + " exists and is not a directory";
        }
        if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.FileSystemException) {
            String detail = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                    : "it cannot hold a new directory";
            return (parent == null ? "its parent" : parent) + " does not allow it (" + detail + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Refusal refused(String message) {
        return new Refusal(ErrorCode.BAD_REQUEST, message);
    }
}
