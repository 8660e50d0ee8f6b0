package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions in workspaces through bin/corral against real daemons: the launch directory and its
 * escapes, leases (refusal naming the holder, --force, heartbeats, release, stale leases after a
 * daemon is killed with SIGKILL or whose heartbeat is too old), the metadata lock, the banner,
 * the stale-workspace warning and provisional workspaces. What a user types and sees.
 */
class WorkspaceTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    static Path shared;
    static Sandbox sandbox;

    @TempDir
    Path dir;

    @BeforeAll
    static void startDaemon() throws IOException {
        sandbox = new Sandbox(shared);
        sandbox.startDaemon("--lease-heartbeat-seconds", "1", "--lease-ttl-seconds", "5");
    }

    @AfterAll
    static void stopDaemon() {
        sandbox.close();
    }

    private static Run.Result ok(Sandbox in, Object... args) {
        Run.Result result = in.corral(args);
        assertEquals(0, result.exit(), result.toString());
        return result;
    }

    private static Run.Result ok(Object... args) {
        return ok(sandbox, args);
    }

    private static Run.Result fails(int status, Object... args) {
        Run.Result result = sandbox.corral(args);
        assertEquals(status, result.exit(), result.toString());
        return result;
    }

    private static Map<String, Object> json(Run.Result result) {
        return result.json();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> lease(Sandbox in, Path workspace) {
        return (Map<String, Object>) json(ok(in, "--json", "lease", "show", workspace)).get("lease");
    }

    /** Waits for the end-of-session work in a workspace (lease show waits for it), so nothing writes there after the test. */
    private static void settle(Sandbox in, Path workspace) {
        ok(in, "lease", "show", workspace);
    }

    private Path workspace(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name)).toRealPath();
    }

    private static String log(Sandbox in) {
        try {
            return Files.readString(in.log());
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void theLaunchDirectoryLiesInsideTheWorkspaceAndEveryEscapeIsRefused() throws IOException {
        Path ws = workspace("launch");
        Files.createDirectories(ws.resolve("src/app"));
        ok("spawn", "--name", "inside", "--workspace", ws, "--cwd", "src/app", "--", "sh", "-c", "echo \"at $(pwd)\"");
        assertEquals(0, sandbox.corral("wait", "inside").exit());
        assertTrue(ok("tail", "inside").out().contains("at " + ws.resolve("src/app")));
        Map<String, Object> shown = json(ok("--json", "show", "inside"));
        assertEquals(ws.toString(), shown.get("workspace"));
        assertEquals(ws.resolve("src/app").toString(), shown.get("cwd"));

        ok("spawn", "--name", "at-root", "--workspace", ws, "--", "true");
        assertEquals(ws.toString(), json(ok("--json", "show", "at-root")).get("cwd"), "no --cwd: the workspace itself");

        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(ws.resolve("sneaky"), outside);
        Map<String, String> escapes = new LinkedHashMap<>();
        escapes.put("/etc", "is an absolute path");
        escapes.put("../outside", "climbs out of the workspace");
        escapes.put("src/../../outside", "climbs out of the workspace");
        escapes.put("sneaky", "sneaky is a symlink to " + outside.toRealPath());
        for (Map.Entry<String, String> escape : escapes.entrySet()) {
            Run.Result refused = fails(1, "spawn", "--name", "escape", "--workspace", ws, "--cwd", escape.getKey(),
                    "--", "touch", "escaped");
            assertTrue(refused.err().contains(escape.getValue()) && refused.err().contains("[BAD_REQUEST]"), refused.toString());
            assertEquals(3, sandbox.corral("show", "escape").exit(), "nothing was started for --cwd " + escape.getKey());
        }
        assertFalse(Files.exists(outside.resolve("escaped")));

        Path missing = dir.resolve("never-made");
        Run.Result noSuchDir = fails(1, "spawn", "--workspace", missing, "--cwd", "src", "--", "true");
        assertTrue(noSuchDir.err().contains("does not exist"), noSuchDir.toString());
        assertFalse(Files.exists(missing), "a refused spawn creates no workspace");
        settle(sandbox, ws);
    }

    @Test
    void aLiveLeaseRefusesOtherSpawnsNamingItsHolderAndForceShares() throws IOException {
        Path ws = workspace("leased");
        ok("spawn", "--name", "holder", "--workspace", ws, "--", "sh", "-c", "read line; exit 0");
        Map<String, Object> lease = lease(sandbox, ws);
        assertEquals("holder", lease.get("session"));
        assertEquals(sandbox.lockHolderPid(), ((Number) lease.get("pid")).longValue(), "the daemon holds the lease");
        for (String field : List.of("host", "agent", "mode", "started", "heartbeat", "programPid")) {
            assertTrue(lease.get(field) != null, "the lease names its " + field + ": " + lease);
        }
        assertEquals("sh", lease.get("agent"));
        assertEquals("pty", lease.get("mode"));

        Run.Result refused = fails(4, "spawn", "--name", "second", "--workspace", ws, "--", "true");
        assertTrue(refused.err().contains("is leased by session 'holder'") && refused.err().contains("--force")
                && refused.err().contains("[CONFLICT]"), refused.toString());
        assertEquals(3, sandbox.corral("show", "second").exit(), "the refused session was not started");

        Run.Result forced = ok("spawn", "--name", "forced", "--force", "--workspace", ws, "--", "sh", "-c", "exit 0");
        assertTrue(forced.err().contains("shares it without a lease"), forced.toString());
        assertEquals(0, sandbox.corral("wait", "forced").exit());
        assertEquals("holder", lease(sandbox, ws).get("session"), "the forced session took no lease and left the holder's alone");

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> listed = (List<Map<String, Object>>) (Object) jsonList(ok("--json", "lease", "ls"));
        assertTrue(listed.stream().anyMatch(l -> ws.toString().equals(l.get("workspace")) && "holder".equals(l.get("session"))),
                listed.toString());
        assertTrue(ok("lease", "ls").out().contains(ws.toString()));

        ok("send", "holder", "done");
        assertEquals(0, sandbox.corral("wait", "holder").exit());
        assertNull(lease(sandbox, ws), "the lease goes away when its session ends");
        assertFalse(Files.exists(ws.resolve(".corral/lease.json")));
        assertFalse(ok("lease", "ls").out().contains(ws.toString()));
        ok("spawn", "--name", "after-holder", "--workspace", ws, "--", "true");
        assertEquals(0, sandbox.corral("wait", "after-holder").exit());
        settle(sandbox, ws);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> jsonList(Run.Result result) {
        try {
            return (List<Object>) Json.read(result.out().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("not a JSON array: " + result, e);
        }
    }

    @Test
    void anAgentSpawnedIntoAWorkspaceNamesItsProfileInTheLease() throws IOException {
        Path ws = workspace("agent");
        ok("spawn", "--name", "agent-in-ws", "--agent", "generic", "--workspace", ws);
        Map<String, Object> lease = lease(sandbox, ws);
        assertEquals("generic", lease.get("agent"));
        assertEquals("pty", lease.get("mode"), "the profile chose the kind");
        Map<String, Object> shown = json(ok("--json", "show", "agent-in-ws"));
        assertEquals(ws.toString(), shown.get("workspace"));
        assertEquals("generic", shown.get("agent"));
        ok("rm", "--force", "agent-in-ws");
        settle(sandbox, ws);
        assertTrue(ok("lease", "show", ws).out().contains("'agent-in-ws' (agent generic, mode pty)"));
    }

    @Test
    void leaseReleaseTakesForceForALiveLease() throws IOException {
        Path ws = workspace("release");
        assertTrue(ok("lease", "release", ws).out().contains("has no lease"));
        ok("spawn", "--name", "keeper", "--workspace", ws, "--", "sleep", "300");
        Run.Result refused = fails(4, "lease", "release", ws);
        assertTrue(refused.err().contains("session 'keeper'") && refused.err().contains("--force"), refused.toString());

        Map<String, Object> released = json(ok("--json", "lease", "release", ws, "--force"));
        assertEquals(true, released.get("released"));
        assertEquals("keeper", released.get("session"));
        assertEquals("running", json(ok("--json", "show", "keeper")).get("state"), "the session goes on without its lease");
        ok("spawn", "--name", "newcomer", "--workspace", ws, "--", "true");
        assertEquals(0, sandbox.corral("wait", "newcomer").exit());
        ok("rm", "--force", "keeper");
        settle(sandbox, ws);
    }

    @Test
    void theDaemonHeartbeatsItsLeases() throws IOException {
        Path ws = workspace("heartbeat");
        ok("spawn", "--name", "beating", "--workspace", ws, "--", "sleep", "300");
        Instant first = Instant.parse((String) lease(sandbox, ws).get("heartbeat"));
        Deadline.await(LIMIT, () -> "the heartbeat of " + ws + " to be renewed after " + first,
                () -> Instant.parse((String) lease(sandbox, ws).get("heartbeat")).isAfter(first));
        ok("rm", "--force", "beating");
        assertNull(lease(sandbox, ws));
    }

    @Test
    void aLeaseLeftByADaemonKilledWithSigkillIsCleanedByTheNextLook() throws IOException {
        Path ws = workspace("crashed");
        try (Sandbox first = new Sandbox(Files.createDirectories(dir.resolve("first")));
                Sandbox second = new Sandbox(Files.createDirectories(dir.resolve("second")))) {
            first.startDaemon();
            ok(first, "spawn", "--name", "doomed", "--workspace", ws, "--", "sleep", "300");
            long dead = first.lockHolderPid();
            assertEquals(dead, ((Number) lease(first, ws).get("pid")).longValue());
            first.crashDaemon();

            second.startDaemon();
            Run.Result spawn = ok(second, "spawn", "--name", "successor", "--workspace", ws, "--", "sh", "-c", "exit 0");
            assertTrue(spawn.err().contains("cleaned a stale lease") && spawn.err().contains("pid " + dead)
                    && spawn.err().contains("no longer running"), spawn.toString());
            assertTrue(log(second).contains("stale lease cleaned in " + ws), log(second));
            assertEquals(0, second.corral("wait", "successor").exit());
            assertNull(lease(second, ws));
        }
    }

    @Test
    void aLeaseWhoseHeartbeatIsOlderThanItsTtlIsStaleAndALiveOneIsNot() throws IOException {
        Path ws = workspace("ttl");
        // Another daemon's lease, as it would write it: a live process on this host (this test's JVM).
        Files.createDirectories(ws.resolve(".corral"));
        writeLease(ws, Instant.now());
        Run.Result refused = fails(4, "spawn", "--workspace", ws, "--", "true");
        assertTrue(refused.err().contains("is leased by session 'elsewhere'") && refused.err().contains("agent claude"),
                refused.toString());

        // A workspace this daemon has not seen yet, so that its spawn (not the sweep) finds the old lease.
        Path old = workspace("ttl-old");
        Files.createDirectories(old.resolve(".corral"));
        writeLease(old, Instant.now().minusSeconds(3600));
        Run.Result spawn = ok("spawn", "--name", "ttl-successor", "--workspace", old, "--", "true");
        assertTrue(spawn.err().contains("cleaned a stale lease") && spawn.err().contains("more than its TTL of 60 s"),
                spawn.toString());
        assertTrue(log(sandbox).contains("stale lease cleaned in " + old));

        // And the heartbeat's sweep finds one without being asked, in a workspace the daemon knows.
        assertEquals(0, sandbox.corral("wait", "ttl-successor").exit());
        assertNull(lease(sandbox, old));
        writeLease(old, Instant.now().minusSeconds(3600));
        Deadline.await(LIMIT, () -> "the heartbeat sweep to clean the stale lease in " + old,
                () -> !Files.exists(old.resolve(".corral/lease.json")));
        assertEquals("elsewhere", lease(sandbox, ws).get("session"), "a live lease of another daemon is left alone");
    }

    private static void writeLease(Path ws, Instant heartbeat) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        Map<String, Object> lease = new LinkedHashMap<>();
        lease.put("session", "elsewhere");
        lease.put("sessionId", "0badf00d");
        lease.put("host", Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
        lease.put("pid", self.pid());
        lease.put("pidStartedAt", self.info().startInstant().map(Instant::toString).orElse(null));
        lease.put("programPid", 1L);
        lease.put("agent", "claude");
        lease.put("mode", "tmux");
        lease.put("started", heartbeat.toString());
        lease.put("heartbeat", heartbeat.toString());
        lease.put("ttlSeconds", 60);
        lease.put("token", "another-daemon-" + heartbeat.toEpochMilli());
        Files.write(ws.resolve(".corral/lease.json"), Json.write(lease));
    }

    @Test
    void theLastSessionIsShownAtTheNextSpawnAndOutsideChangesAreWarnedAbout() throws IOException {
        Path ws = workspace("banner");
        Files.writeString(ws.resolve("keep.txt"), "keep");
        Files.writeString(ws.resolve("change.txt"), "before");
        Files.writeString(ws.resolve("gone.txt"), "bye");
        Files.createDirectories(ws.resolve(".git"));
        Files.writeString(ws.resolve(".git/HEAD"), "ref: refs/heads/main");

        Run.Result first = ok("spawn", "--name", "first", "--workspace", ws, "--", "sh", "-c",
                "echo more >> change.txt; rm gone.txt; echo n > new.txt; echo x >> .git/HEAD; exit 5");
        assertFalse(first.err().contains("last session"), "a first session has no banner: " + first);
        assertEquals(5, sandbox.corral("wait", "first").exit());
        @SuppressWarnings("unchecked")
        Map<String, Object> diff = (Map<String, Object>) ((Map<String, Object>) json(ok("--json", "lease", "show", ws))
                .get("lastSession")).get("diff");
        assertEquals(List.of("new.txt"), diff.get("addedFiles"));
        assertEquals(List.of("change.txt"), diff.get("modifiedFiles"), ".git is left out of the manifest");
        assertEquals(List.of("gone.txt"), diff.get("removedFiles"));

        Run.Result second = ok("spawn", "--name", "second", "--workspace", ws, "--", "true");
        assertTrue(second.err().contains("last session in " + ws + ": 'first' (agent sh, mode pty)")
                && second.err().contains("exited with status 5 (seen by process-exit)")
                && second.err().contains("files: 1 added, 1 modified, 1 removed"), second.toString());
        assertFalse(second.err().contains("outside any corral session"), "nothing changed between the sessions: " + second);
        assertEquals(0, sandbox.corral("wait", "second").exit());

        Map<String, Object> shown = json(ok("--json", "lease", "show", ws));
        @SuppressWarnings("unchecked")
        Map<String, Object> last = (Map<String, Object>) shown.get("lastSession");
        assertEquals("second", last.get("session"));
        assertEquals("exited", last.get("endReason"));
        @SuppressWarnings("unchecked")
        Map<String, Object> logged = (Map<String, Object>) Json.read(Files.readAllLines(ws.resolve(".corral/sessions.log")).get(0)
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("first", logged.get("session"));
        assertEquals(Map.of("added", 1L, "modified", 1L, "removed", 1L), logged.get("diff"));
        assertEquals(2, Files.readAllLines(ws.resolve(".corral/sessions.log")).size(), "one log line per session");
        assertTrue(ok("lease", "show", ws).out().contains("last session in " + ws + ": 'second'"));

        Files.writeString(ws.resolve("keep.txt"), "edited by hand");
        Run.Result third = ok("spawn", "--name", "third", "--workspace", ws, "--", "true");
        assertTrue(third.err().contains("warning: files in " + ws + " changed since its last session ended")
                && third.err().contains("outside any corral session: 0 added, 1 modified, 0 removed (keep.txt)"),
                third.toString());
        assertEquals(0, sandbox.corral("wait", "third").exit());
        settle(sandbox, ws);
    }

    @Test
    void aWorkspaceThisSpawnCreatedIsRemovedWhenItsSessionFailsWithoutChangingAFile() throws IOException {
        Path provisional = dir.resolve("made/by/spawn");
        ok("spawn", "--name", "gave-up", "--workspace", provisional, "--", "sh", "-c", "exit 3");
        assertEquals(3, sandbox.corral("wait", "gave-up").exit());
        Deadline.await(LIMIT, () -> provisional + " to be removed", () -> !Files.exists(provisional));
        assertTrue(Files.isDirectory(dir.resolve("made/by")), "only the workspace itself goes, never a parent the spawn made");

        Path worked = dir.resolve("worked");
        ok("spawn", "--name", "failed-after-work", "--workspace", worked, "--", "sh", "-c", "echo draft > notes.txt; exit 3");
        Path succeeded = dir.resolve("succeeded");
        ok("spawn", "--name", "fine", "--workspace", succeeded, "--", "sh", "-c", "exit 0");
        Path existing = workspace("existing");
        ok("spawn", "--name", "failed-in-existing", "--workspace", existing, "--", "sh", "-c", "exit 3");
        for (Map.Entry<String, Integer> session : Map.of("failed-after-work", 3, "fine", 0, "failed-in-existing", 3).entrySet()) {
            Run.Result wait = sandbox.corral("wait", session.getKey());
            assertEquals((int) session.getValue(), wait.exit(), "wait answers the session's exit status: " + wait);
        }
        for (Path kept : List.of(worked, succeeded, existing)) {
            // lease show waits for the end-of-session work in that workspace.
            assertTrue(ok("lease", "show", kept).out().contains("last session"), kept + " keeps its summary");
            assertTrue(Files.isDirectory(kept), kept + " is kept");
        }
        assertTrue(Files.exists(worked.resolve("notes.txt")));
    }

    @Test
    void tmuxSessionsHoldLeasesTooAndANewDaemonTakesThemOverAfterACrash() throws IOException {
        Path ws = workspace("tmux");
        try (Sandbox own = new Sandbox(Files.createDirectories(dir.resolve("tmux-sandbox")))) {
            own.startDaemon("--lease-heartbeat-seconds", "1", "--lease-ttl-seconds", "5");
            ok(own, "spawn", "--kind", "tmux", "--name", "tm", "--workspace", ws, "--", "sh", "-c",
                    "read line; echo \"$line\" > out.txt; exit 4");
            assertEquals("tmux", lease(own, ws).get("mode"));
            own.crashDaemon();
            own.startDaemon("--lease-heartbeat-seconds", "1", "--lease-ttl-seconds", "5");
            long restarted = own.lockHolderPid();
            Deadline.await(LIMIT, () -> "the restarted daemon to take over the lease of " + ws,
                    () -> lease(own, ws) != null && ((Number) lease(own, ws).get("pid")).longValue() == restarted);
            Run.Result refused = own.corral("spawn", "--workspace", ws, "--", "true");
            assertEquals(4, refused.exit(), refused.toString());

            ok(own, "send", "tm", "written");
            assertEquals(4, own.corral("wait", "tm").exit());
            Map<String, Object> shown = json(ok(own, "--json", "lease", "show", ws));
            assertNull(shown.get("lease"));
            @SuppressWarnings("unchecked")
            Map<String, Object> last = (Map<String, Object>) shown.get("lastSession");
            assertEquals("tmux-pane-died", last.get("detectedVia"));
            assertEquals(4L, last.get("exitCode"));
            assertEquals(1L, ((Map<?, ?>) last.get("diff")).get("added"), last.toString());
        }
    }

    @Test
    void aLockLeftByACrashedWriterIsTakenOverAndALiveHolderOnlyCostsTheLease() throws Exception {
        Path ws = workspace("locked");
        Files.createDirectories(ws.resolve(".corral"));
        Files.writeString(ws.resolve(".corral/lock"), "pid 999999 on crashed-host since long ago\n");
        Run.Result taken = ok("spawn", "--name", "after-crash", "--workspace", ws, "--", "sh", "-c", "read line");
        assertFalse(taken.err().contains("could not take the lease"), "the stale lock cost nothing: " + taken);
        // What the takeover bought: the lease is the new session's, held by this daemon, and its end is recorded.
        Map<String, Object> held = lease(sandbox, ws);
        assertTrue(held != null && "after-crash".equals(held.get("session")), "lease show: " + held);
        assertEquals(sandbox.lockHolderPid(), ((Number) held.get("pid")).longValue(), "held by this daemon, not pid 999999");
        ok("send", "after-crash", "done");
        assertEquals(0, sandbox.corral("wait", "after-crash").exit());
        Deadline.await(LIMIT, () -> "the session's end recorded in " + ws.resolve(".corral/last-session.json"),
                () -> Files.exists(ws.resolve(".corral/last-session.json")));
        assertTrue(log(sandbox).contains("took over the stale metadata lock " + ws.resolve(".corral/lock")
                + " left by pid 999999 on crashed-host"), log(sandbox));

        Process holder = new ProcessBuilder("python3", "-c", String.join("\n",
                "import fcntl, sys",
                "f = open(sys.argv[1], 'a+')",
                "fcntl.lockf(f, fcntl.LOCK_EX)",
                "f.write('pid 4242 on another-daemon')",
                "f.flush()",
                "print('locked', flush=True)",
                "sys.stdin.read()"), ws.resolve(".corral/lock").toString()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            Run.Result spawn = ok("spawn", "--name", "lockless", "--workspace", ws, "--", "sh", "-c", "exit 6");
            assertTrue(spawn.err().contains("could not take the lease") && spawn.err().contains("pid 4242 on another-daemon"),
                    spawn.toString());
            assertEquals(6, sandbox.corral("wait", "lockless").exit(), "the session ran, and its status is kept");
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        settle(sandbox, ws);
    }

    @Test
    void aFailingEndOfSessionWriteNeverLosesTheExitStatus() throws IOException {
        Path ws = workspace("unwritable");
        ok("spawn", "--name", "status-kept", "--workspace", ws, "--", "sh", "-c", "read line; exit 7");
        // The metadata folder is replaced by a link: corral refuses to write through it.
        Path moved = Files.move(ws.resolve(".corral"), dir.resolve("corral-elsewhere"));
        Files.createSymbolicLink(ws.resolve(".corral"), moved);
        ok("send", "status-kept", "go");
        assertEquals(7, sandbox.corral("wait", "status-kept").exit());
        assertEquals(7L, json(ok("--json", "show", "status-kept")).get("exitCode"));
        Deadline.await(LIMIT, () -> "a warning about the skipped end-of-session writes",
                () -> log(sandbox).contains("end-of-session writes of session status-kept in " + ws + " skipped"));
        assertFalse(Files.exists(moved.resolve("last-session.json")), "nothing was written through the link");
    }
}
