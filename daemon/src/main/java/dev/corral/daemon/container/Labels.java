package dev.corral.daemon.container;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The labels corral puts on what it makes in the engine: containers carry their daemon, session,
 * task and issue, so a restarted daemon finds its own again; images carry what they were built from.
 */
public final class Labels {
    /** On everything corral makes. */
    public static final String CORRAL = "dev.corral";
    /** Which daemon started a container: a digest of its state directory (several daemons may share an engine). */
    public static final String OWNER = "dev.corral.owner";
    public static final String SESSION = "dev.corral.session";
    public static final String SESSION_ID = "dev.corral.session-id";
    /** The task: the workspace's directory name. */
    public static final String TASK = "dev.corral.task";
    public static final String ISSUE = "dev.corral.issue";
    public static final String WORKSPACE = "dev.corral.workspace";
    /** Images: "builtin" (the shipped agent recipe) or the Dockerfile's absolute path. */
    public static final String RECIPE = "dev.corral.recipe";
    /** Images: the digest of the recipe and its build context ({@link AgentImage#hash}). */
    public static final String RECIPE_HASH = "dev.corral.recipe-hash";
    /** Images: "context" when the hash covers the Dockerfile and its context, "dockerfile" when only the file. */
    public static final String RECIPE_COVERS = "dev.corral.recipe-covers";
    /** Images made by {@code container snapshot}: the session they were taken from. */
    public static final String SNAPSHOT_OF = "dev.corral.snapshot-of";

    private Labels() {}

    /** The owner label's value for a daemon with this state directory. */
    public static String owner(Path stateDir) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(stateDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
