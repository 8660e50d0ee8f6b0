package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.DockerEngine;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.e2e.support.TerminalDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container sessions through bin/corral against a real Docker engine: a private dockerd that
 * src-test/docker/engine.sh starts for this class (its own socket and roots, no bridge), with a
 * FROM-scratch busybox image. What a user sees: the workspace mounted, a worktree's git pointers
 * fixed up inside only, exit codes, logs, attach, a shell, a snapshot, adoption after a crash,
 * and each clear error.
 */
class ContainerTest {
    private static final Duration LIMIT = Deadline.LIMIT;
    private static final String BUSYBOX = DockerEngine.BUSYBOX;
    /**
     * The tests that may build the recipe image: on an engine without its layers, debootstrap, the
     * apt and the npm steps take more than the 4 minutes every other test gets (apt alone took 5
     * minutes here), and the build's own deadline is 20.
     */
    private static final long RECIPE_MINUTES = 30;
    private static DockerEngine engine;

    @TempDir
    Path dir;
    Sandbox sandbox;
    Path workspace;

    @BeforeAll
    static void startEngine() throws IOException {
        engine = DockerEngine.start();
        // The engine keeps its images between runs; the tests of a missing image need the default one absent.
        engine.docker("image", "rm", "--force", "corral-agent:latest");
    }

    @AfterAll
    static void stopEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    /** The daemon is started by each test, after any change to its environment. */
    @BeforeEach
    void prepare() throws IOException {
        sandbox = new Sandbox(dir).withEnv("DOCKER_HOST", engine.host()).withEnv("CORRAL_CONTAINER_NETWORK", "none");
        workspace = Files.createDirectories(dir.resolve("ws"));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /**
     * {@code corral spawn --kind container --workspace WS --force --image busybox ARGS...}, which must
     * succeed. The tests share one workspace, so --force lets their sessions share it without the
     * lease (WorkspaceTest covers leases).
     */
    private Run.Result spawn(String name, Object... rest) {
        return spawnFrom(BUSYBOX, name, rest);
    }

    private Run.Result spawnFrom(String image, String name, Object... rest) {
        List<Object> args = new java.util.ArrayList<>(List.of("spawn", "--kind", "container", "--name", name,
                "--workspace", workspace, "--force", "--image", image));
        args.addAll(List.of(rest));
        return sandbox.ok(args.toArray());
    }

    private String tail(String name) {
        return sandbox.corral("tail", name).out();
    }

    private String label(String container, String label) {
        return engine.docker("inspect", "--format", "{{index .Config.Labels \"" + label + "\"}}", container).out().strip();
    }

    @Test
    void theWorkspaceIsMountedAndTheExitCodeComesBack() throws IOException {
        Path credentials = Files.writeString(dir.resolve("credentials.json"), "{\"token\":\"t0ken\"}");
        sandbox.withEnv("CORRAL_CONTAINER_CREDENTIALS", credentials.toString());
        sandbox.startDaemon();
        assertEquals("w1\n", spawn("w1", "--issue", "42", "--memory", "64m", "--", "sh", "-c",
                "echo made-inside > inside.txt; echo \"uid=$HOST_UID gid=$HOST_GID session=$CORRAL_SESSION pwd=$(pwd)\"; "
                        + "echo \"creds:$(cat $CORRAL_CREDENTIALS)\"; (echo x >> $CORRAL_CREDENTIALS) 2>/dev/null || echo creds-read-only; "
                        + "echo \"limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null)\"; "
                        + "read line; echo \"got:$line\"; exit 3").out());

        Deadline.await(LIMIT, () -> "the container's file in the workspace", () -> Files.exists(workspace.resolve("inside.txt")));
        assertEquals("made-inside\n", Files.readString(workspace.resolve("inside.txt")));
        long uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        long gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
        sandbox.awaitTail("w1", "limit=67108864");
        String seen = tail("w1");
        assertTrue(seen.contains("uid=" + uid + " gid=" + gid + " session=w1 pwd=/workspaces/ws"), seen);
        assertTrue(seen.contains("creds:{\"token\":\"t0ken\"}") && seen.contains("creds-read-only"), seen);
        assertEquals("{\"token\":\"t0ken\"}", Files.readString(credentials));

        Map<String, Object> shown = sandbox.show("w1");
        assertEquals("container", shown.get("kind"));
        assertEquals("running", shown.get("state"));
        assertEquals(workspace.toRealPath().toString(), shown.get("workspace"));
        assertEquals(BUSYBOX, shown.get("image"));
        assertEquals("64m", shown.get("memory"));
        assertEquals(42, ((Number) shown.get("issue")).intValue());
        String container = (String) shown.get("container");
        assertEquals("w1", label(container, "dev.corral.session"));
        assertEquals("42", label(container, "dev.corral.issue"));
        assertEquals("ws", label(container, "dev.corral.task"));
        assertTrue(sandbox.ok("container", "ps").out().contains(container), "container ps lists it by its labels");
        assertTrue(sandbox.ok("ls").out().contains("w1"), "a container is listed like any session");

        sandbox.ok("send", "w1", "bye");
        assertEquals(3, sandbox.corral("wait", "w1").exit());
        Map<String, Object> ended = sandbox.show("w1");
        assertEquals("exited", ended.get("state"));
        assertEquals(3, ((Number) ended.get("exitCode")).intValue());
        sandbox.awaitTail("w1", "got:bye");

        Run.Result logs = sandbox.ok("container", "logs", "w1");
        // made-inside went to a file, not the output: the log holds what the program printed.
        assertTrue(logs.out().contains("session=w1"), logs.toString());
        assertTrue(logs.out().contains("creds-read-only"), logs.toString());
        assertTrue(logs.out().contains("got:bye"), logs.toString());
        assertEquals("got:bye", sandbox.ok("container", "logs", "--tail", "1", "w1").out().strip());

        sandbox.ok("rm", "w1");
        assertEquals("", engine.docker("ps", "--all", "--quiet", "--filter", "name=" + container).out(),
                "removing the session removes its container");
    }

    @Test
    void theDaemonsContainerFlagsWinOverItsEnvironmentAndCwdIsThePlaceInTheWorkspace() throws IOException {
        Path credentials = Files.writeString(dir.resolve("flag-credentials.json"), "{\"from\":\"the flag\"}");
        Path envCredentials = Files.writeString(dir.resolve("env-credentials.json"), "{\"from\":\"the environment\"}");
        // The environment names an engine that is not there and another network and file: the flags must win.
        sandbox.withEnv("DOCKER_HOST", "unix://" + dir.resolve("no-engine.sock")).withEnv("CORRAL_CONTAINER_NETWORK", "bridge")
                .withEnv("CORRAL_CONTAINER_CREDENTIALS", envCredentials.toString());
        sandbox.startDaemon("--docker-host", engine.host(), "--container-network", "none",
                "--container-credentials", credentials.toString());
        Path sub = Files.createDirectories(workspace.resolve("module/src"));
        Run.Result absolute = sandbox.corral("spawn", "--kind", "container", "--name", "abs", "--workspace", workspace, "--force",
                "--image", BUSYBOX, "--cwd", sub, "--", "true");
        assertEquals(1, absolute.exit(), "refused as a bad request: " + absolute);
        assertTrue(absolute.err().contains("[BAD_REQUEST]") && absolute.err().contains("relative to it (for example --cwd src)"), absolute.toString());
        spawn("flags", "--cwd", "module/src", "--", "sh", "-c",
                "echo \"pwd=$(pwd)\"; echo \"creds:$(cat $CORRAL_CREDENTIALS)\"; echo \"nets:$(ls /sys/class/net | tr '\\n' ,)\"");
        assertEquals(0, sandbox.corral("wait", "flags").exit());
        String seen = tail("flags");
        assertTrue(seen.contains("pwd=/workspaces/ws/module/src"), "--cwd is the same place inside the workspace's mount: " + seen);
        assertTrue(seen.contains("creds:{\"from\":\"the flag\"}"), seen);
        assertTrue(seen.contains("nets:lo,\r\n"), "--container-network none: only loopback: " + seen);
        String container = (String) sandbox.show("flags").get("container");
        assertEquals("none", engine.docker("inspect", "--format", "{{.HostConfig.NetworkMode}}", container).out().strip());
        sandbox.ok("rm", "flags");
    }

    @Test
    void aSignalReachesTheCommandAndTheLogCanBeFollowed() throws Exception {
        sandbox.startDaemon();
        spawn("sig", "--", "sh", "-c", "echo waiting; sleep 300");
        sandbox.awaitTail("sig", "waiting");
        try (TerminalDriver follower = TerminalDriver.start(sandbox, "\"$CORRAL\" container logs --follow sig; echo \"LOGS[$?]\"")) {
            follower.await("waiting", LIMIT);
            sandbox.ok("kill", "--signal", "TERM", "sig");
            // docker's init passes TERM on to sleep, which dies of it: 128 + 15, as a shell reports it.
            assertEquals(143, sandbox.corral("wait", "sig").exit());
            follower.await("LOGS[0]", LIMIT);
        }
        Run.Result again = sandbox.corral("kill", "sig");
        assertEquals(4, again.exit(), again.toString());
    }

    @Test
    void aGitWorktreeIsFixedUpForContainerPathsWithoutTouchingTheHost() throws IOException {
        sandbox.startDaemon();
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Map<String, String> git = Map.of("GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@example.invalid",
                "GIT_COMMITTER_NAME", "t", "GIT_COMMITTER_EMAIL", "t@example.invalid");
        for (List<String> step : List.of(List.of("git", "init", "-q", "-b", "main", repo.toString()),
                List.of("git", "-C", repo.toString(), "commit", "-q", "--allow-empty", "-m", "first"),
                List.of("git", "-C", repo.toString(), "worktree", "add", "-q", "-b", "feature", dir.resolve("wt").toString()))) {
            Run.Result result = Run.command(git, LIMIT, step);
            assertEquals(0, result.exit(), result.toString());
        }
        Path worktree = dir.resolve("wt");
        String hostPointer = Files.readString(worktree.resolve(".git"));
        Path backPointerFile = repo.resolve(".git/worktrees/wt/gitdir");
        String hostBackPointer = Files.readString(backPointerFile);

        sandbox.ok("spawn", "--kind", "container", "--name", "tree", "--workspace", worktree, "--image", BUSYBOX, "--", "sh", "-c",
                "echo \"pointer:$(cat .git)\"; echo \"back:$(cat /repo/.git/worktrees/wt/gitdir)\"; "
                        + "echo \"head:$(cat /repo/.git/worktrees/wt/HEAD)\"; echo \"common:$(cat /repo/.git/worktrees/wt/commondir)\"; "
                        + "test -d /repo/.git/objects && echo objects-shared; "
                        + "(echo x >> .git) 2>/dev/null || echo pointer-read-only; read line; exit 0");
        sandbox.awaitTail("tree", "pointer-read-only");
        String seen = tail("tree");
        assertTrue(seen.contains("pointer:gitdir: /repo/.git/worktrees/wt"), seen);
        assertTrue(seen.contains("back:/workspaces/wt/.git"), seen);
        assertTrue(seen.contains("head:ref: refs/heads/feature"), seen);
        assertTrue(seen.contains("common:../.."), seen);
        assertTrue(seen.contains("objects-shared"), seen);

        assertEquals(hostPointer, Files.readString(worktree.resolve(".git")), "the host's .git pointer is untouched");
        assertEquals(hostBackPointer, Files.readString(backPointerFile), "the host's back-pointer is untouched");
        Run.Result status = Run.command(Map.of(), LIMIT, List.of("git", "-C", worktree.toString(), "status", "--porcelain"));
        assertEquals(0, status.exit(), status.toString());
        assertEquals("", status.out(), "git on the host still reads the worktree, and nothing was written into it");
        sandbox.ok("send", "tree", "done");
        assertEquals(0, sandbox.corral("wait", "tree").exit());
    }

    @Test
    void attachStreamsTheContainersTerminal() throws Exception {
        sandbox.startDaemon();
        spawn("att", "--", "sh", "-c", "echo first-screen; read line; echo \"you said $line\"; exit 6");
        sandbox.awaitTail("att", "first-screen");
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach att; echo \"STATUS[$?]\"")) {
            terminal.await("first-screen", LIMIT);
            Deadline.await(LIMIT, () -> "the attach to be counted", () -> ((Number) sandbox.show("att").get("attached")).intValue() == 1);
            terminal.type(new byte[] {0x1c});
            terminal.await("STATUS[0]", LIMIT);
            assertTrue(terminal.text().contains("[detached from att]"), terminal.text());
        }
        assertEquals("running", sandbox.show("att").get("state"));
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach att; echo \"STATUS[$?]\"")) {
            terminal.await("first-screen", LIMIT);
            terminal.type("hello\r");
            terminal.await("you said hello", LIMIT);
            terminal.await("STATUS[6]", LIMIT);
            assertTrue(terminal.text().contains("[att exited with status 6]"), terminal.text());
        }
    }

    @Test
    void aShellIsAnInteractiveExecThatIsItselfASession() throws Exception {
        sandbox.startDaemon();
        spawn("host", "--", "sh", "-c", "echo host-ready; read line");
        sandbox.awaitTail("host", "host-ready");
        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" container shell host; echo \"STATUS[$?]\"")) {
            terminal.await("/workspaces/ws", LIMIT);
            terminal.type("echo inside-$((6*7)) $CORRAL_SESSION\r");
            terminal.await("inside-42 host-shell", LIMIT);
            terminal.type(new byte[] {0x1c});
            terminal.await("STATUS[0]", LIMIT);
            assertTrue(terminal.text().contains("[detached from host-shell]"), terminal.text());
        }
        Map<String, Object> shell = sandbox.show("host-shell");
        assertEquals("running", shell.get("state"));
        sandbox.ok("send", "host-shell", "exit 4");
        assertEquals(4, sandbox.corral("wait", "host-shell").exit());
        assertEquals("running", sandbox.show("host").get("state"), "leaving the shell leaves the container running");
    }

    @Test
    void aSnapshotBecomesAnImageToSpawnFrom() throws IOException {
        sandbox.startDaemon();
        spawn("snap", "--", "sh", "-c", "echo kept-in-image > /marker; echo marked; read line");
        sandbox.awaitTail("snap", "marked");
        Run.Result saved = sandbox.ok("container", "snapshot", "snap", "--tag", "snap-test");
        assertTrue(saved.out().contains("corral-agent:snap-test"), saved.toString());
        assertEquals("snap", engine.docker("image", "inspect", "--format",
                "{{index .Config.Labels \"dev.corral.snapshot-of\"}}", "corral-agent:snap-test").out().strip());

        sandbox.ok("spawn", "--kind", "container", "--name", "from-snap", "--workspace", workspace, "--force", "--image", "corral-agent:snap-test",
                "--", "sh", "-c", "echo \"marker:$(cat /marker)\"; read line");
        sandbox.awaitTail("from-snap", "marker:kept-in-image");
    }

    @Test
    void aBuiltImageIsLabelledAndASpawnSaysWhenItIsStale() throws IOException {
        sandbox.startDaemon();
        Path context = Files.createDirectories(dir.resolve("recipe"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + BUSYBOX + "\nCOPY note.txt /note.txt\n");
        Files.writeString(context.resolve("note.txt"), "first\n");
        Run.Result built = sandbox.ok("image", "build", "--dockerfile", context.resolve("Dockerfile"), "--tag", "built-test");
        assertTrue(built.out().contains("built corral-agent:built-test"), built.toString());
        assertEquals(context.resolve("Dockerfile").toString(), engine.docker("image", "inspect", "--format",
                "{{index .Config.Labels \"dev.corral.recipe\"}}", "corral-agent:built-test").out().strip());
        assertTrue(engine.docker("image", "inspect", "--format", "{{index .Config.Labels \"dev.corral.recipe-hash\"}}",
                "corral-agent:built-test").out().startsWith("sha256:"));

        Run.Result fresh = sandbox.ok("spawn", "--kind", "container", "--name", "fresh", "--workspace", workspace, "--force",
                "--image", "corral-agent:built-test", "--", "sh", "-c", "cat /note.txt; read line");
        assertFalse(fresh.err().contains("stale"), fresh.toString());
        sandbox.awaitTail("fresh", "first");

        Files.writeString(context.resolve("note.txt"), "second\n");
        Run.Result stale = sandbox.ok("spawn", "--kind", "container", "--name", "stale", "--workspace", workspace, "--force",
                "--image", "corral-agent:built-test", "--", "sh", "-c", "read line");
        assertTrue(stale.err().contains("warning: image corral-agent:built-test is stale"), stale.toString());
        assertTrue(stale.err().contains("corral image build --dockerfile " + context.resolve("Dockerfile") + " --tag built-test"),
                stale.toString());

        sandbox.ok("image", "build", "--dockerfile", context.resolve("Dockerfile"), "--tag", "built-test", "--force");
        Run.Result rebuilt = sandbox.ok("spawn", "--kind", "container", "--name", "rebuilt", "--workspace", workspace, "--force",
                "--image", "corral-agent:built-test", "--", "sh", "-c", "cat /note.txt; read line");
        assertFalse(rebuilt.err().contains("stale"), rebuilt.toString());
        sandbox.awaitTail("rebuilt", "second");
    }

    @Test
    void containersAreFoundAgainByTheirLabelsAfterTheDaemonIsKilled() throws Exception {
        sandbox.startDaemon();
        spawn("survivor", "--", "sh", "-c", "echo before-crash; read line; echo \"after:$line\"; exit 5");
        spawn("finished", "--", "sh", "-c", "read line; exit 2");
        spawn("dies-alone", "--", "sh", "-c", "echo alone; read line");
        sandbox.ok("send", "finished", "go");
        assertEquals(2, sandbox.corral("wait", "finished").exit());
        sandbox.awaitTail("survivor", "before-crash");
        sandbox.awaitTail("dies-alone", "alone");
        Map<String, Object> before = sandbox.show("survivor");
        String lonely = (String) sandbox.show("dies-alone").get("container");

        sandbox.crashDaemon();
        // Ends while no daemon watches: the next one must learn its status from the engine.
        Run.Result killed = engine.docker("kill", lonely);
        assertEquals(0, killed.exit(), killed.toString());
        sandbox.startDaemon();

        Map<String, Object> adopted = sandbox.show("survivor");
        assertEquals("running", adopted.get("state"));
        for (String field : List.of("id", "pid", "command", "cwd", "createdAt", "container", "workspace")) {
            assertEquals(before.get(field), adopted.get(field), field + " must survive the restart");
        }
        assertEquals(2, ((Number) sandbox.show("finished").get("exitCode")).intValue(), "a status recorded before the crash is kept");
        assertEquals(137, ((Number) sandbox.show("dies-alone").get("exitCode")).intValue(), "a status the engine kept is found");

        try (TerminalDriver terminal = TerminalDriver.start(sandbox, "\"$CORRAL\" attach survivor; echo \"STATUS[$?]\"")) {
            terminal.await("before-crash", LIMIT);
            Deadline.await(LIMIT, () -> "the attach to be counted", () -> ((Number) sandbox.show("survivor").get("attached")).intValue() == 1);
            terminal.type("still-here\r");
            terminal.await("after:still-here", LIMIT);
            terminal.await("STATUS[5]", LIMIT);
        }
        assertEquals(5, sandbox.corral("wait", "survivor").exit());
    }

    /**
     * A container that writes a numbered line every 50 ms before, while and after the daemon is
     * down: once the next daemon has adopted it, {@code corral tail} holds every line exactly once
     * and in order, and {@code corral screen} ends with the last one. The earlier adoption seeded
     * the replay from {@code docker logs --tail} and then ran {@code docker attach}, which lost the
     * lines written between the two.
     */
    @Test
    void outputWrittenWhileTheDaemonWasDownAndAfterAdoptionAppearsExactlyOnce() throws Exception {
        sandbox.startDaemon();
        spawn("steady", "--", "sh", "-c", "i=0; while [ ! -e stop-steady ]; do i=$((i+1)); echo \"line-$i\"; sleep 0.05; done; "
                + "echo \"last=$i\"; read x; exit 4");
        sandbox.awaitTail("steady", "line-5\r\n");
        sandbox.crashDaemon();
        // Lines written while no daemon watches, then the next daemon adopts the container as it writes on.
        sandbox.startDaemon();
        assertEquals("running", sandbox.show("steady").get("state"));
        int adoptedAt = highestLine(tail("steady"));
        Deadline.await(LIMIT, () -> "40 lines after adoption (from line " + adoptedAt + ")",
                () -> highestLine(tail("steady")) > adoptedAt + 40);
        Files.writeString(workspace.resolve("stop-steady"), "");
        sandbox.awaitTail("steady", "last=");
        String seen = tail("steady");
        java.util.regex.Matcher last = java.util.regex.Pattern.compile("last=([0-9]+)").matcher(seen);
        assertTrue(last.find(), seen);
        int count = Integer.parseInt(last.group(1));
        List<String> lines = seen.lines().map(String::strip).filter(l -> l.startsWith("line-")).toList();
        List<String> expected = java.util.stream.IntStream.rangeClosed(1, count).mapToObj(n -> "line-" + n).toList();
        assertEquals(expected, lines, "every line once and in order, across the crash and the adoption");
        String screen = sandbox.ok("screen", "steady").out();
        assertTrue(screen.contains("line-" + count + "\n") && screen.contains("last=" + count), screen);
        assertEquals(1, screen.split("line-" + count + "\n", -1).length - 1, "the last line once on the screen:\n" + screen);
        sandbox.ok("send", "steady", "bye");
        assertEquals(4, sandbox.corral("wait", "steady").exit());
    }

    private static int highestLine(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("line-([0-9]+)").matcher(text);
        int highest = 0;
        while (m.find()) {
            highest = Math.max(highest, Integer.parseInt(m.group(1)));
        }
        return highest;
    }

    @Test
    void aMissingImageSaysHowToBuildIt() throws IOException {
        sandbox.startDaemon();
        Run.Result spawn = sandbox.corral("spawn", "--kind", "container", "--name", "noimage", "--workspace", workspace, "--force", "--", "sh");
        assertEquals(1, spawn.exit(), spawn.toString());
        assertTrue(spawn.err().contains("image corral-agent:latest is not in the Docker engine at " + engine.host()), spawn.err());
        assertTrue(spawn.err().contains("build it with 'corral image build'"), spawn.err());
        assertTrue(spawn.err().contains("MISSING_DEPENDENCY"), spawn.err());

        Run.Result tagged = sandbox.corral("spawn", "--kind", "container", "--name", "noimage", "--workspace", workspace, "--force",
                "--image", "corral-agent:nope", "--", "sh");
        assertTrue(tagged.err().contains("'corral image build --tag nope'"), tagged.err());
        assertEquals(3, sandbox.corral("show", "noimage").exit(), "nothing was started");
    }

    @Test
    void aContainerThatDiesAtStartShowsItsLastLogLines() throws IOException {
        sandbox.startDaemon();
        Run.Result spawn = sandbox.corral("spawn", "--kind", "container", "--name", "doomed", "--workspace", workspace, "--force",
                "--image", BUSYBOX, "--", "no-such-program", "--flag");
        assertEquals(1, spawn.exit(), spawn.toString());
        assertTrue(spawn.err().contains("died at start with status 127; its last log lines:"), spawn.err());
        assertTrue(spawn.err().contains("exec no-such-program failed"), spawn.err());
        assertEquals(3, sandbox.corral("show", "doomed").exit(), "nothing was started");
        assertEquals("", engine.docker("ps", "--all", "--quiet", "--filter", "label=dev.corral.session=doomed").out(),
                "the dead container was removed");
    }

    @Test
    void noEngineAnsweringNamesTheAddressTried() throws IOException {
        String nowhere = "unix://" + dir.resolve("no-engine.sock");
        sandbox.withEnv("DOCKER_HOST", nowhere);
        sandbox.startDaemon();
        Run.Result spawn = sandbox.corral("spawn", "--kind", "container", "--name", "x", "--workspace", workspace, "--force", "--", "sh");
        assertEquals(1, spawn.exit(), spawn.toString());
        assertTrue(spawn.err().contains("no Docker engine answers at " + nowhere + " (from DOCKER_HOST)"), spawn.err());
        assertTrue(spawn.err().contains("UNAVAILABLE"), spawn.err());
        Run.Result ps = sandbox.corral("container", "ps");
        assertEquals(1, ps.exit(), ps.toString());
        assertTrue(ps.err().contains(nowhere), ps.err());
    }

    @Test
    void noDockerBinaryIsNamedWithHowToInstallIt() throws IOException {
        // Every tool of /usr/bin except docker (the machine's other docker, in /usr/local/bin, is left off PATH).
        sandbox.withEnv("PATH", sandbox.pathWithout("docker").toString());
        sandbox.startDaemon();
        Run.Result spawn = sandbox.corral("spawn", "--kind", "container", "--name", "nodocker", "--workspace", workspace, "--force",
                "--image", BUSYBOX, "--", "sh");
        Run.Result ps = sandbox.corral("container", "ps");
        Run.Result show = sandbox.corral("show", "nodocker");
        assertEquals(1, spawn.exit(), spawn.toString());
        assertTrue(spawn.err().contains("docker is not installed") && spawn.err().contains("apt-get install docker.io"), spawn.err());
        assertTrue(spawn.err().contains("MISSING_DEPENDENCY"), spawn.err());
        assertEquals(1, ps.exit(), ps.toString());
        assertTrue(ps.err().contains("docker is not installed"), ps.err());
        assertEquals(3, show.exit(), "nothing was started: " + show);
    }

    @Test
    void aQuickProgramIsASessionThatExitedWithItsStatusAndOutput() throws IOException {
        sandbox.startDaemon();
        // Runs and ends at once: a session that exited with 5, not a failed spawn.
        assertEquals("quick\n", spawn("quick", "--", "sh", "-c", "echo hi; exit 5").out());
        assertEquals(5, sandbox.corral("wait", "quick").exit());
        Map<String, Object> shown = sandbox.show("quick");
        assertEquals("exited", shown.get("state"));
        assertEquals(5, ((Number) shown.get("exitCode")).intValue());
        sandbox.awaitTail("quick", "hi");

        // A command not found by the program (sh's own 127) ran: it is a session too.
        assertEquals("nosuch\n", spawn("nosuch", "--", "sh", "-c", "no-such-tool").out());
        assertEquals(127, sandbox.corral("wait", "nosuch").exit());
        sandbox.awaitTail("nosuch", "not found");
    }

    @Test
    void aProgramThatEndsWithin100msKeepsItsOutputAndStatus() throws IOException {
        sandbox.startDaemon();
        for (int i = 0; i < 3; i++) {
            String name = "blink" + i;
            assertEquals(name + "\n", spawn(name, "--", "echo", "gone-" + i).out());
            assertEquals(0, sandbox.corral("wait", name).exit());
            assertEquals("exited", sandbox.show(name).get("state"));
            sandbox.awaitTail(name, "gone-" + i);
        }
    }

    @Test
    void aContainerTheEngineCannotStartIsASpawnErrorWithDockersOwnWords() throws IOException {
        sandbox.startDaemon();
        Run.Result spawn = sandbox.corral("spawn", "--kind", "container", "--name", "badentry", "--workspace", workspace, "--force",
                "--image", BUSYBOX, "--", "/not/a/program");
        assertEquals(1, spawn.exit(), spawn.toString());
        assertTrue(spawn.err().contains("died at start") && spawn.err().contains("exec /not/a/program failed"), spawn.err());
        assertEquals(3, sandbox.corral("show", "badentry").exit(), "nothing was started");
    }

    @Test
    void theEngineTellsTheContainersChannelOfCreateStartDeathAndRemoval() throws IOException {
        sandbox.startDaemon();
        try (dev.corral.e2e.support.EventWatcher events = dev.corral.e2e.support.EventWatcher.start(sandbox,
                "--json", "events", "--channel", "containers")) {
            spawn("evented", "--", "sh", "-c", "echo up; exit 7");
            assertEquals(7, sandbox.corral("wait", "evented").exit());
            Map<String, Object> died = events.await("container.died", "evented");
            assertEquals(7, ((Number) dev.corral.e2e.support.EventWatcher.data(died).get("exitCode")).intValue(), died.toString());
            assertEquals(false, dev.corral.e2e.support.EventWatcher.data(died).get("oomKilled"), died.toString());
            events.await("container.created", "evented");
            events.await("container.started", "evented");
            sandbox.ok("rm", "evented");
            events.await("container.removed", "evented");
            assertTrue(events.events().stream().allMatch(e -> "containers".equals(e.get("channel"))), events.lines().toString());
        }
    }

    /**
     * The recipe shipped in corrald, built by {@code corral image build} on a Debian base made here
     * with debootstrap (no registry), with a real agent CLI from the npm registry, then run as a
     * session: the credentials file in place, the agent CLI's first screen. The build's steps
     * reach Debian's mirror and the npm registry through the host's network, trusting the
     * authorities this machine added (its proxy re-signs TLS).
     */
    @Test
    @Timeout(value = RECIPE_MINUTES, unit = TimeUnit.MINUTES)
    void theShippedRecipeBuildsOnADebootstrappedBaseAndRunsAnAgentCli() throws IOException {
        Path credentials = Files.writeString(dir.resolve("credentials.json"), "{\"token\":\"in-image\"}");
        sandbox.withEnv("CORRAL_CONTAINER_CREDENTIALS", credentials.toString());
        sandbox.startDaemon();
        buildRecipeImage();

        // The entry point gives the agent user the host user's ids (the daemon here runs as root, so ask for others).
        // It copies the mounted credentials into that user's home, as that user's.
        Run.Result ids = engine.docker("run", "--rm", "--init", "--network", "none", "--env", "HOST_UID=4321",
                "--env", "HOST_GID=4322", "--volume", credentials + ":/run/corral/credentials:ro",
                "--env", "CORRAL_CREDENTIALS=/run/corral/credentials", "corral-agent:recipe-test", "sh", "-c",
                "echo \"ids=$(id -u):$(id -g) home=$HOME creds=$(cat $HOME/.claude/.credentials.json) "
                        + "owner=$(stat -c %u:%g:%a $HOME/.claude/.credentials.json)\"");
        assertEquals("ids=4321:4322 home=/home/agent creds={\"token\":\"in-image\"} owner=4321:4322:600", ids.out().strip(),
                ids.toString());

        // This daemon runs as root: the agent is root, and the credentials are in root's home.
        spawnFrom("corral-agent:recipe-test", "agent", "--", "sh", "-c",
                "echo \"creds=$(cat $HOME/.claude/.credentials.json)\"; "
                        + "echo \"cli=$(claude --version)\"; exec claude");
        sandbox.awaitTail("agent", "creds={\"token\":\"in-image\"}");
        sandbox.awaitTail("agent", "cli=2.1.197 (Claude Code)");
        // No network in the container: Claude Code's first screen says so (its words placed by cursor moves), then it ends.
        sandbox.awaitTail("agent", "ECONNREFUSED");
        String screen = tail("agent");
        assertTrue(screen.contains("Welcome") && screen.contains("Unable") && screen.contains("Anthropic"), screen);
        // The container session's screen model puts those words back in their places, as tmux would.
        String shown = sandbox.ok("screen", "agent").out();
        assertTrue(shown.contains("Unable to connect to Anthropic services"), "corral screen of a container session:\n" + shown);
        assertTrue(shown.contains("cli=2.1.197 (Claude Code)") || shown.contains("Welcome to Claude Code"), shown);
    }

    /**
     * {@code corral image build --tag recipe-test} of the shipped recipe on a debootstrapped Debian
     * base with Claude Code 2.1.197 from the npm registry (the daemon must be up). The engine keeps
     * its images and build cache between runs, so a second build is quick.
     */
    private void buildRecipeImage() throws IOException {
        String base = engine.debianBase();
        StringBuilder extraCas = new StringBuilder();
        Path added = Path.of("/usr/local/share/ca-certificates");
        if (Files.isDirectory(added)) {
            try (var certs = Files.list(added)) {
                for (Path cert : (Iterable<Path>) certs.filter(p -> p.toString().endsWith(".crt")).sorted()::iterator) {
                    extraCas.append(Files.readString(cert)).append('\n');
                }
            }
        }
        Run.Result built = Run.command(sandbox.env(), Duration.ofMinutes(20), Run.argv(dev.corral.e2e.support.Repo.corral(),
                "image", "build", "--tag", "recipe-test", "--network", "host", "--build-arg", "BASE=" + base,
                "--build-arg", "AGENT_NPM_PACKAGES=@anthropic-ai/claude-code@2.1.197",
                "--build-arg", "EXTRA_CA_CERTS=" + extraCas.toString().strip()));
        assertEquals(0, built.exit(), built.toString());
        assertTrue(built.out().startsWith("built corral-agent:recipe-test"), built.toString());
    }

    /** The recipe-test image, built only when the engine does not hold it yet. */
    private void recipeImage() throws IOException {
        if (engine.docker("image", "inspect", "corral-agent:recipe-test").exit() != 0) {
            buildRecipeImage();
        }
    }

    private void awaitShown(String name, String what, java.util.function.Predicate<Map<String, Object>> test) {
        Deadline.await(Duration.ofSeconds(90), () -> what + "; show says " + sandbox.show(name) + "\nscreen:\n"
                + tail(name) + sandbox.logTail(30), () -> test.test(sandbox.show(name)));
    }

    /**
     * {@code corral spawn --agent claude --kind container}: Claude Code runs inside the recipe image
     * (no network), with the workspace's KICKOFF.md as its prompt when no --prompt-file is given,
     * mounted read-only at /run/corral/prompt.md; ls and show report the agent, its readiness and
     * status, read from the container's screen as on the host. A fresh HOME: Claude Code cannot reach
     * Anthropic and ends, so the session ends exited, not starting. An onboarded HOME: its
     * folder-trust dialog is answered, or the session reads stuck on it. A CLI missing from the
     * image is refused naming the image.
     */
    @Test
    @Timeout(value = RECIPE_MINUTES, unit = TimeUnit.MINUTES)
    void anAgentProfileRunsInAContainerWithItsPromptMountedAndItsScreenWatched() throws IOException {
        Path config = Files.writeString(dir.resolve("config.toml"), """
                [profile.absent]
                command = ["no-such-agent-cli"]
                requires = ["no-such-agent-cli"]
                kind = "container"
                prompt = "env"
                """);
        sandbox.withEnv("CORRAL_CONFIG", config.toString());
        sandbox.startDaemon();
        recipeImage();
        Files.writeString(workspace.resolve("KICKOFF.md"), "Kick off issue 21: say hello.\n");
        Files.createDirectories(workspace.resolve("fresh-home"));
        Path onboarded = Files.createDirectories(workspace.resolve("onboarded-home"));
        Files.writeString(onboarded.resolve(".claude.json"), "{\"hasCompletedOnboarding\": true}");
        String inside = "/workspaces/" + workspace.getFileName();

        // A fresh HOME, the prompt from KICKOFF.md (the spawn says so).
        Run.Result fresh = sandbox.ok("spawn", "--agent", "claude", "--kind", "container", "--name", "claude-fresh",
                "--workspace", workspace, "--force", "--image", "corral-agent:recipe-test", "--issue", "21",
                "--env", "HOME=" + inside + "/fresh-home", "--size", "120x40");
        assertTrue(fresh.err().contains("KICKOFF.md"), fresh.toString());
        String container = String.valueOf(sandbox.show("claude-fresh").get("container"));
        assertEquals("21", label(container, "dev.corral.issue"));
        String mounts = engine.docker("inspect", "--format", "{{range .Mounts}}{{.Destination}}:{{.RW}} {{end}}", container).out();
        assertTrue(mounts.contains("/run/corral/prompt.md:false"), mounts);
        awaitShown("claude-fresh", "the fresh claude ended", shown -> "exited".equals(shown.get("state")));
        Map<String, Object> shown = sandbox.show("claude-fresh");
        assertEquals("claude", shown.get("agent"), shown.toString());
        // Its words are placed by cursor moves: the raw tail has escapes between them.
        String screen = tail("claude-fresh");
        assertTrue(screen.contains("Unable") && screen.contains("Anthropic") && screen.contains("ECONNREFUSED"), screen);
        // As on the host: the agent ended before it was ready, so its readiness is exited (not starting), with why.
        awaitShown("claude-fresh", "readiness exited", s -> "exited".equals(s.get("readiness")));
        assertTrue(String.valueOf(sandbox.show("claude-fresh").get("stuckOn")).contains("Unable to connect to Anthropic services"),
                sandbox.show("claude-fresh").toString());

        // An onboarded HOME and an explicit prompt file: the trust dialog, answered or reported stuck.
        Path prompt = Files.writeString(dir.resolve("prompt.md"), "Prompt from a file.\n");
        sandbox.ok("spawn", "--agent", "claude", "--kind", "container", "--name", "claude-main", "--workspace", workspace,
                "--force", "--image", "corral-agent:recipe-test", "--prompt-file", prompt,
                "--env", "HOME=" + inside + "/onboarded-home", "--size", "120x40");
        String main = String.valueOf(sandbox.show("claude-main").get("container"));
        Run.Result seen = engine.docker("exec", main, "sh", "-c", "echo \"$CORRAL_PROMPT_FILE\"; cat \"$CORRAL_PROMPT_FILE\"");
        assertEquals("/run/corral/prompt.md\nPrompt from a file.", seen.out().strip(), seen.toString());
        awaitShown("claude-main", "the trust dialog answered or reported stuck", s -> {
            String readiness = String.valueOf(s.get("readiness"));
            return "ready".equals(readiness) || ("stuck".equals(readiness) && String.valueOf(s.get("stuckOn")).contains("trust"))
                    || Files.exists(sandbox.log()) && logSays("session claude-main: answering");
        });
        String listed = sandbox.ok("ls").out();
        assertTrue(listed.contains("claude-main") && listed.contains("claude"), listed);

        // A profile (kind = "container") whose CLI the image lacks: refused, naming the image.
        Run.Result absent = sandbox.corral("spawn", "--agent", "absent", "--name", "absent", "--workspace", workspace, "--force",
                "--image", "corral-agent:recipe-test");
        assertTrue(absent.exit() != 0 && absent.err().contains("no-such-agent-cli")
                && absent.err().contains("corral-agent:recipe-test"), absent.toString());
        // No --prompt-file and no KICKOFF.md: a profile that takes a prompt is refused, saying where one goes.
        Path bare = Files.createDirectories(dir.resolve("bare"));
        Run.Result none = sandbox.corral("spawn", "--agent", "claude", "--kind", "container", "--name", "no-prompt",
                "--workspace", bare, "--force", "--image", "corral-agent:recipe-test");
        assertTrue(none.exit() != 0 && none.err().contains("takes a prompt") && none.err().contains("KICKOFF.md"), none.toString());
        assertEquals(3, sandbox.corral("show", "no-prompt").exit(), "nothing was started: " + none);
        // Claude Code writes into its HOME in the workspace while it runs: end it before the workspace is deleted.
        engine.docker("rm", "--force", main, container);
    }

    private boolean logSays(String text) {
        try {
            return Files.readString(sandbox.log()).contains(text);
        } catch (IOException e) {
            return false;
        }
    }
}
