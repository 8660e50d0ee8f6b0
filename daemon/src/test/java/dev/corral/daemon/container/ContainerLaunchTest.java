package dev.corral.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docker create arguments of a container session, worked out without an engine. */
class ContainerLaunchTest {
    @TempDir
    Path dir;

    private static ContainerLaunch.Request request(Path workspace, Path cwd, String memory, Path fixups) {
        return new ContainerLaunch.Request("corral-a-1234abcd", "a", "1234abcd", "owner0", workspace, cwd,
                "corral-busybox:latest", memory, 8, Map.of("K", "V"), List.of("sh", "-c", "echo hi"), fixups);
    }

    private static String after(List<String> args, String flag, String prefix) {
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals(flag) && args.get(i + 1).startsWith(prefix)) {
                return args.get(i + 1);
            }
        }
        throw new AssertionError("no " + flag + " " + prefix + "… in " + args);
    }

    @Test
    void aPlainWorkspaceIsMountedAsTheWorkingDirectoryWithLabelsAndTheCommandLast() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        Files.createDirectories(workspace.resolve("sub"));
        var plan = ContainerLaunch.plan(request(workspace, workspace.resolve("sub"), "64m", dir.resolve("fix")),
                new ContainerSettings(null, "default", null, "none"));
        List<String> args = plan.args();
        assertTrue(args.containsAll(List.of("--pull=never", "--init", "--interactive", "--tty")), args.toString());
        assertEquals("64m", after(args, "--memory", ""));
        assertEquals("none", after(args, "--network", ""));
        assertEquals("/workspaces/ws/sub", plan.workdir());
        assertEquals("type=bind,source=" + workspace + ",target=/workspaces/ws", after(args, "--mount", "type=bind,source=" + workspace));
        assertEquals("dev.corral.issue=8", after(args, "--label", "dev.corral.issue="));
        assertEquals("dev.corral.task=ws", after(args, "--label", "dev.corral.task="));
        assertEquals("dev.corral.owner=owner0", after(args, "--label", "dev.corral.owner="));
        assertEquals("CORRAL_SESSION=a", after(args, "--env", "CORRAL_SESSION="));
        assertTrue(after(args, "--env", "HOST_UID=").matches("HOST_UID=[0-9]+"));
        assertEquals(List.of("corral-busybox:latest", "sh", "-c", "echo hi"), args.subList(args.size() - 4, args.size()));
        assertTrue(Files.notExists(dir.resolve("fix")), "no fix-up files for a workspace that is no worktree");
    }

    @Test
    void aWorktreesPointersAreRewrittenInFilesOfItsOwn() throws Exception {
        Path common = Files.createDirectories(dir.resolve("repo/.git"));
        Path gitDir = Files.createDirectories(common.resolve("worktrees/wt"));
        Path workspace = Files.createDirectories(dir.resolve("wt,1"));
        Files.writeString(workspace.resolve(".git"), "gitdir: " + gitDir + "\n");
        Files.writeString(gitDir.resolve("commondir"), "../..\n");
        Files.writeString(gitDir.resolve("gitdir"), workspace.resolve(".git") + "\n");
        Path fixups = dir.resolve("fix");

        List<String> args = ContainerLaunch.plan(request(workspace, workspace, "1g", fixups),
                new ContainerSettings(null, "default", null, null)).args();
        // A comma in a path is quoted, as docker's --mount parser (CSV) expects.
        assertEquals("type=bind,\"source=" + workspace + "\",\"target=/workspaces/wt,1\"",
                after(args, "--mount", "type=bind,\"source=" + workspace));
        assertEquals("type=bind,source=" + common + ",target=/repo/.git", after(args, "--mount", "type=bind,source=" + common));
        assertEquals("type=bind,source=" + fixups.resolve("dot-git") + ",\"target=/workspaces/wt,1/.git\",readonly",
                after(args, "--mount", "type=bind,source=" + fixups.resolve("dot-git")));
        assertEquals("type=bind,source=" + fixups.resolve("gitdir") + ",target=/repo/.git/worktrees/wt/gitdir,readonly",
                after(args, "--mount", "type=bind,source=" + fixups.resolve("gitdir")));
        assertEquals("gitdir: /repo/.git/worktrees/wt\n", Files.readString(fixups.resolve("dot-git")));
        assertEquals("/workspaces/wt,1/.git\n", Files.readString(fixups.resolve("gitdir")));
        assertEquals("gitdir: " + gitDir + "\n", Files.readString(workspace.resolve(".git")), "the host's pointer is untouched");
        assertEquals(workspace.resolve(".git") + "\n", Files.readString(gitDir.resolve("gitdir")), "and so is its back-pointer");
    }

    @Test
    void aMissingCredentialsFileIsRefused() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        EngineException refused = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class, () ->
                ContainerLaunch.plan(request(workspace, workspace, "1g", dir.resolve("fix")),
                        new ContainerSettings(null, "default", dir.resolve("nope.json"), null)));
        assertTrue(refused.getMessage().contains("nope.json"), refused.getMessage());
    }

    @Test
    void automaticMemoryIsTheEnginesMemoryLessTwoGibibytesAndNeverUnderFour() {
        long gib = 1024L * 1024 * 1024;
        assertEquals((16 * 1024 - 2048) + "m", ContainerLaunch.automaticMemory(java.util.OptionalLong.of(16 * gib)));
        assertEquals("4096m", ContainerLaunch.automaticMemory(java.util.OptionalLong.of(3 * gib)), "never under 4 GiB");
        assertEquals("8192m", ContainerLaunch.automaticMemory(java.util.OptionalLong.empty()), "an engine that does not say");
    }

    @Test
    void theEnginesMemoryComesFromDockerInfoNotThisHost() throws Exception {
        // A stand-in docker binary that answers `docker info --format {{.MemTotal}}` as a remote engine with 64 GiB would.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path docker = bin.resolve("docker");
        Files.writeString(docker, "#!/bin/sh\n[ \"$1\" = info ] && echo 68719476736 && exit 0\nexit 1\n");
        docker.toFile().setExecutable(true);
        ContainerEngine engine = new ContainerEngine(new ContainerSettings("ssh://builder", "DOCKER_HOST", null, null),
                java.util.Map.of("PATH", bin.toString()));
        assertEquals(java.util.OptionalLong.of(68719476736L), engine.memoryTotal());
        assertEquals((64 * 1024 - 2048) + "m", ContainerLaunch.automaticMemory(engine.memoryTotal()));
        assertEquals(java.util.OptionalLong.empty(), ContainerEngine.parseMemTotal("<no value>"));
    }
}
