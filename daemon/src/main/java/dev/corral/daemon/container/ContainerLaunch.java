package dev.corral.daemon.container;

import dev.corral.daemon.state.AtomicFiles;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code docker create} arguments of one container session: the workspace mounted read-write
 * as the working directory; for a git worktree, the repository's common git dir beside it, with the
 * worktree's two pointers rewritten for container paths in files of corral's own that are
 * bind-mounted over the originals inside the container only (the host's files are never touched);
 * the credentials file read-only; the memory limit; the host user's UID/GID; corral's labels.
 */
public final class ContainerLaunch {
    /** Where workspaces appear inside a container: {@code /workspaces/DIRNAME}. */
    public static final String WORKSPACES = "/workspaces";
    /** Where a worktree's common git dir appears inside a container. */
    public static final String COMMON_GIT_DIR = "/repo/.git";
    /** Where the credentials file appears inside a container (also in {@code CORRAL_CREDENTIALS}). */
    public static final String CREDENTIALS = "/run/corral/credentials";
    private static final long MIB = 1024L * 1024;

    /** What one container session asks for. {@code memory} null means automatic; {@code command} empty means the image's own. */
    public record Request(String container, String session, String sessionId, String owner, Path workspace, Path cwd,
            String image, String memory, Integer issue, Map<String, String> env, List<String> command, Path fixups) {}

    /** The arguments, and the memory limit they carry (the automatic one worked out). */
    public record Plan(List<String> args, String memory, String workdir) {}

    private ContainerLaunch() {}

    public static Plan plan(Request request, ContainerSettings settings) throws EngineException {
        Path workspace = request.workspace();
        String task = workspace.getFileName() == null ? "workspace" : workspace.getFileName().toString();
        String inside = WORKSPACES + "/" + task;
        String workdir = request.cwd().equals(workspace) ? inside : inside + "/" + workspace.relativize(request.cwd());
        String memory = request.memory() != null ? request.memory() : automaticMemory(OptionalLong.empty());

        List<String> args = new ArrayList<>(List.of("--name", request.container(), "--hostname", request.session(),
                "--interactive", "--tty", "--init", "--pull=never", "--memory", memory, "--workdir", workdir));
        if (settings.network() != null) {
            args.add("--network");
            args.add(settings.network());
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.CORRAL, "true");
        labels.put(Labels.OWNER, request.owner());
        labels.put(Labels.SESSION, request.session());
        labels.put(Labels.SESSION_ID, request.sessionId());
        labels.put(Labels.TASK, task);
        if (request.issue() != null) {
            labels.put(Labels.ISSUE, request.issue().toString());
        }
        labels.put(Labels.WORKSPACE, workspace.toString());
        labels.forEach((key, value) -> {
            args.add("--label");
            args.add(key + "=" + value);
        });

        args.add("--mount");
        args.add(bind(workspace.toString(), inside, false));
        Optional<GitWorktree> worktree = GitWorktree.of(workspace);
        if (worktree.isPresent()) {
            GitWorktree git = worktree.get();
            String gitDirInside = COMMON_GIT_DIR + "/" + git.gitDirInCommon();
            Path dotGit = request.fixups().resolve("dot-git");
            Path backPointer = request.fixups().resolve("gitdir");
            write(dotGit, "gitdir: " + gitDirInside + "\n");
            write(backPointer, inside + "/.git\n");
            args.add("--mount");
            args.add(bind(git.commonDir().toString(), COMMON_GIT_DIR, false));
            args.add("--mount");
            args.add(bind(dotGit.toString(), inside + "/.git", true));
            args.add("--mount");
            args.add(bind(backPointer.toString(), gitDirInside + "/gitdir", true));
        }

        Map<String, String> env = new LinkedHashMap<>(request.env());
        if (settings.credentials() != null) {
            if (!Files.isReadable(settings.credentials())) {
                throw new EngineException(ErrorCode.BAD_REQUEST, "the credentials file " + settings.credentials()
                        + " (corrald --container-credentials) does not exist or cannot be read");
            }
            args.add("--mount");
            args.add(bind(settings.credentials().toString(), CREDENTIALS, true));
            env.put("CORRAL_CREDENTIALS", CREDENTIALS);
        }
        env.put("CORRAL_SESSION", request.session());
        env.put("CORRAL_WORKSPACE", inside);
        env.put("TERM", "xterm-256color");
        hostId("unix:uid").ifPresent(uid -> env.put("HOST_UID", uid));
        hostId("unix:gid").ifPresent(gid -> env.put("HOST_GID", gid));
        env.forEach((key, value) -> {
            args.add("--env");
            args.add(key + "=" + value);
        });

        args.add(request.image());
        args.addAll(request.command());
        return new Plan(args, memory, workdir);
    }

    /**
     * The engine's memory less 2 GiB, never under 4 GiB ({@code docker --memory}, in MiB); 8 GiB
     * when the engine does not say (empty). The engine's, not this host's: with
     * {@code DOCKER_HOST=ssh://…} the containers run on another machine.
     */
    public static String automaticMemory(OptionalLong engineBytes) {
        if (engineBytes.isEmpty() || engineBytes.getAsLong() <= 0) {
            return "8192m";
        }
        long totalMib = engineBytes.getAsLong() / MIB;
        return Math.max(4096, totalMib - 2048) + "m";
    }

    /** A {@code --mount} value; fields are quoted as CSV, so commas and quotes in paths survive. */
    private static String bind(String source, String target, boolean readOnly) {
        return "type=bind," + csv("source=" + source) + "," + csv("target=" + target) + (readOnly ? ",readonly" : "");
    }

    private static String csv(String field) {
        return field.contains(",") || field.contains("\"") ? "\"" + field.replace("\"", "\"\"") + "\"" : field;
    }

    private static void write(Path file, String text) throws EngineException {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new EngineException(ErrorCode.INTERNAL, "cannot write the git fix-up file " + file + ": " + e.getMessage());
        }
    }

    /** The daemon's own uid or gid, read from /proc without native code. */
    private static Optional<String> hostId(String attribute) {
        try {
            return Optional.of(String.valueOf(Files.getAttribute(Path.of("/proc/self"), attribute)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
