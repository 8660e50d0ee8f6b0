package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a hostile probe found in corral's handling of files (issue 23), through bin/corral against
 * a real daemon: provisional removal deletes only the workspace a spawn made and nothing another
 * session holds; links planted in the folders corral owns are refused, never followed; session
 * records are checked when read back.
 */
class WorkspaceSafetyTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    static Path shared;
    static Sandbox sandbox;

    @TempDir
    Path dir;

    @BeforeAll
    static void startDaemon() throws IOException {
        sandbox = new Sandbox(shared);
        sandbox.startDaemon();
    }

    @AfterAll
    static void stopDaemon() {
        sandbox.close();
    }

    private static Map<String, Object> json(Run.Result result) {
        return result.json();
    }

    private static String log() {
        try {
            return Files.readString(sandbox.log());
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void provisionalRemovalTakesOnlyTheFailedSessionsOwnWorkspaceNeverASiblingsOrAParent() throws IOException {
        Path parent = dir.resolve("wt");
        Path a = parent.resolve("issue-8");
        Path b = parent.resolve("issue-9");
        sandbox.ok("spawn", "--name", "ws-a", "--workspace", a, "--", "sh", "-c", "read line; exit 1");
        sandbox.ok("spawn", "--name", "ws-b", "--workspace", b, "--", "sh", "-c", "echo work > result.txt; read line");
        Deadline.await(LIMIT, () -> "B's result.txt", () -> Files.exists(b.resolve("result.txt")));

        sandbox.ok("send", "ws-a", "go");
        assertEquals(1, sandbox.corral("wait", "ws-a").exit());
        Deadline.await(LIMIT, () -> a + " to be removed:\n" + sandbox.logTail(20), () -> !Files.exists(a));

        assertTrue(Files.isDirectory(parent), "the parent A's spawn created stays");
        assertEquals("work\n", Files.readString(b.resolve("result.txt")), "B's file is kept");
        Map<String, Object> lease = json(sandbox.ok("--json", "lease", "show", b));
        assertTrue(lease.get("lease") instanceof Map<?, ?> held && "ws-b".equals(held.get("session")),
                "B keeps its lease: " + lease);
        sandbox.ok("rm", "--force", "ws-b");
        sandbox.ok("lease", "show", b);
    }

    @Test
    void aWorkspaceHoldingAnythingButTheSessionsOwnMetadataIsKept() throws IOException {
        Path ws = dir.resolve("made-for-a");
        sandbox.ok("spawn", "--name", "ws-git", "--workspace", ws, "--", "sh", "-c", "read line; exit 2");
        // Left out of every manifest, so the session "changed no file"; still not corral's to delete.
        Files.createDirectories(ws.resolve(".git"));
        Files.writeString(ws.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        sandbox.ok("send", "ws-git", "go");
        assertEquals(2, sandbox.corral("wait", "ws-git").exit());
        sandbox.ok("lease", "show", ws);
        Deadline.await(LIMIT, () -> "the log to say why " + ws + " was kept", () -> log().contains("workspace " + ws + " kept"));
        assertTrue(Files.exists(ws.resolve(".git/HEAD")), ws + " is kept with what was put in it");
    }

    @Test
    void aCreatedWorkspaceThatAnotherSessionWorksInOrThatBecameALinkIsKept() throws IOException {
        // Another session works in it, with neither a lease nor a start record there (only --cwd): kept,
        // and the log says whose. (One spawned into it with --force leaves its start record, which keeps it too.)
        Path shared = dir.resolve("made-shared");
        sandbox.ok("spawn", "--name", "ws-maker", "--workspace", shared, "--", "sh", "-c", "read line; exit 1");
        sandbox.ok("spawn", "--name", "ws-guest", "--cwd", shared, "--", "sleep", "120");
        sandbox.ok("send", "ws-maker", "go");
        assertEquals(1, sandbox.corral("wait", "ws-maker").exit());
        Deadline.await(LIMIT, () -> "the log to say why " + shared + " was kept\n" + sandbox.logTail(10),
                () -> log().contains("workspace " + shared + " kept") && log().contains("ws-guest"));
        assertTrue(Files.isDirectory(shared), "the guest's workspace stays");
        sandbox.ok("rm", "--force", "ws-guest");

        // The directory it made was replaced by a link (to the very same files): nothing is deleted through it.
        Path made = dir.resolve("made-linked");
        sandbox.ok("spawn", "--name", "ws-linked", "--workspace", made, "--", "sh", "-c", "read line; exit 1");
        sandbox.ok("lease", "show", made);
        Path real = dir.resolve("made-linked.real");
        Files.move(made, real);
        Files.createSymbolicLink(made, real);
        sandbox.ok("send", "ws-linked", "go");
        assertEquals(1, sandbox.corral("wait", "ws-linked").exit());
        // Its files are not listed through the link, so there is no diff and nothing to remove.
        Deadline.await(LIMIT, () -> "the end of ws-linked in the log\n" + sandbox.logTail(10),
                () -> log().contains("session ws-linked ended in workspace " + made));
        assertTrue(Files.isSymbolicLink(made), "the link stays");
        assertTrue(Files.isDirectory(real.resolve(".corral")), "and what it leads to keeps its files");
    }

    @Test
    void aSymlinkPlantedInTheMetadataFolderIsRefusedAndNeverReadIntoTheWorkspace() throws IOException {
        Path secret = Files.writeString(dir.resolve("secret"), "hunter2\n");
        Path ws = Files.createDirectories(dir.resolve("cloned")).toRealPath();
        Files.createDirectories(ws.resolve(".corral"));
        Files.createSymbolicLink(ws.resolve(".corral/sessions.log"), secret);
        Run.Result refused = sandbox.corral("spawn", "--name", "linked-log", "--workspace", ws, "--", "true");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("[UNSAFE_PATH]") && refused.err().contains("sessions.log is a symbolic link"),
                refused.toString());
        assertEquals(3, sandbox.corral("show", "linked-log").exit(), "nothing was started");
        assertTrue(log().contains("refused workspace " + ws), sandbox.logTail(20));

        // Planted while a session runs: its end refuses the link and copies nothing into the workspace.
        Path ws2 = Files.createDirectories(dir.resolve("later")).toRealPath();
        sandbox.ok("spawn", "--name", "planted-later", "--workspace", ws2, "--", "sh", "-c", "read line; echo x > f; exit 0");
        Files.createSymbolicLink(ws2.resolve(".corral/sessions.log"), secret);
        Path outside = Files.createDirectories(dir.resolve("outside"));
        sandbox.ok("send", "planted-later", "go");
        assertEquals(0, sandbox.corral("wait", "planted-later").exit());
        Deadline.await(LIMIT, () -> "the refused session log in the daemon log", () -> log().contains("could not append session planted-later"));
        assertTrue(Files.isSymbolicLink(ws2.resolve(".corral/sessions.log")), "the link is left alone, not replaced by a copy");
        assertEquals("hunter2\n", Files.readString(secret), "the target is untouched");
        assertFalse(Files.readString(ws2.resolve(".corral/last-session.json")).contains("hunter2"));

        // A sessions/ folder that leads elsewhere gets no start record, and a spawn into it is refused.
        Path ws3 = Files.createDirectories(dir.resolve("sessions-link")).toRealPath();
        Files.createDirectories(ws3.resolve(".corral"));
        Files.createSymbolicLink(ws3.resolve(".corral/sessions"), outside);
        Run.Result refusedDir = sandbox.corral("spawn", "--name", "linked-dir", "--workspace", ws3, "--", "true");
        assertTrue(refusedDir.err().contains("[UNSAFE_PATH]"), refusedDir.toString());
        try (var inside = Files.list(outside)) {
            assertEquals(0, inside.count(), "nothing was written into " + outside);
        }
    }

    @Test
    void anEmptyGitignoreShippedInTheMetadataFolderIsReplacedSoNothingCorralWritesIsCommitted() throws IOException {
        Path ws = Files.createDirectories(dir.resolve("shipped")).toRealPath();
        Files.createDirectories(ws.resolve(".corral"));
        Files.writeString(ws.resolve(".corral/.gitignore"), "");
        sandbox.ok("spawn", "--name", "ignored", "--workspace", ws, "--", "true");
        assertEquals(0, sandbox.corral("wait", "ignored").exit());
        sandbox.ok("lease", "show", ws);
        assertTrue(Files.readString(ws.resolve(".corral/.gitignore")).lines().anyMatch("*"::equals));
    }

    @Test
    void aSessionRecordWhoseNameIsAPathIsSetAsideAndNeverUsedAsOne() throws IOException {
        Path home = Files.createDirectories(dir.resolve("records"));
        Path sessions = Files.createDirectories(home.resolve("state/sessions"));
        // STATE/sessions/../../evil-out.json is HOME/evil-out.json.
        Files.writeString(sessions.resolve("evil.json"), "{\"name\":\"../../evil-out\",\"id\":\"abcd1234\",\"kind\":\"pty\","
                + "\"command\":[\"true\"],\"cwd\":\"/\",\"cols\":80,\"rows\":24,\"createdAt\":\"2026-01-01T00:00:00Z\","
                + "\"state\":\"RUNNING\"}");
        try (Sandbox own = new Sandbox(home)) {
            own.startDaemon();
            own.ok("spawn", "--name", "after", "--", "true");
            assertFalse(Files.exists(home.resolve("evil-out.json")), "nothing was written outside the state directory");
            try (var rejected = Files.list(sessions.resolve("rejected"))) {
                assertEquals(1, rejected.count(), "the record is set aside");
            }
            assertFalse(own.corral("ls", "--all").out().contains("evil"), "and never listed");
            assertTrue(Files.readString(own.log()).contains("session record " + sessions.resolve("evil.json") + " rejected"),
                    own.logTail(20));
        }
    }

    @Test
    void aStateFolderThatIsASymlinkIsRefusedAtStartAndOnePlantedLaterIsAWarningInTheReply() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path home = Files.createDirectories(dir.resolve("linked-events"));
        Files.createDirectories(home.resolve("state"));
        Files.createSymbolicLink(home.resolve("state/events"), outside);
        try (Sandbox own = new Sandbox(home)) {
            Process refused = own.launchDaemon();
            assertTrue(refused.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "corrald exits");
            assertEquals(1, refused.exitValue(), own.output(refused));
            assertTrue(own.output(refused).contains("[UNSAFE_PATH]") && own.output(refused).contains("events is a symbolic link"),
                    own.output(refused));
        }

        Path later = Files.createDirectories(dir.resolve("linked-later"));
        try (Sandbox own = new Sandbox(later)) {
            own.startDaemon();
            Path sessions = own.stateDir().resolve("sessions");
            if (Files.exists(sessions)) {
                try (var records = Files.list(sessions)) {
                    for (Path record : records.toList()) {
                        Files.delete(record);
                    }
                }
                Files.delete(sessions);
            }
            Files.createSymbolicLink(sessions, outside);
            Run.Result spawned = own.ok("spawn", "--name", "unrecorded", "--", "sh", "-c", "exit 0");
            assertTrue(spawned.err().contains("corral: warning: could not record session unrecorded"), spawned.toString());
            assertEquals(0, own.corral("wait", "unrecorded").exit());
            Run.Result removed = own.ok("rm", "unrecorded");
            assertTrue(removed.err().contains("corral: warning: could not delete the record of session unrecorded"),
                    removed.toString());
            try (var inside = Files.list(outside)) {
                assertEquals(0, inside.count(), "nothing was written through the link");
            }
        }
    }

    @Test
    void aSharedSocketDirectoryIsRefusedUnlessSaidAndLinksPlantedBesideTheSocketAreNeverWrittenThrough() throws IOException {
        Path home = Files.createDirectories(dir.resolve("shared-socket"));
        Path run = Files.createDirectories(home.resolve("run"));
        Files.setPosixFilePermissions(run, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Path victim2 = Files.writeString(dir.resolve("victim2"), "precious too\n");
        Files.createSymbolicLink(run.resolve("corral.sock.lock"), victim);
        Files.createSymbolicLink(run.resolve("corral.sock.start.log"), victim2);
        try (Sandbox own = new Sandbox(home)) {
            Run.Result refused = own.corral("ping");
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("[UNSAFE_PATH]") && refused.err().contains("others can write to it"), refused.toString());

            // Said: the client goes ahead, but the daemon still refuses the planted lock, and no victim is touched.
            Run.Result linked = own.corral("--socket-dir-shared", "ping");
            assertEquals(5, linked.exit(), linked.toString());
            assertTrue(linked.err().contains("[UNSAFE_PATH]") && linked.err().contains("corral.sock.lock is a symbolic link"),
                    linked.toString());
            assertEquals("precious\n", Files.readString(victim));
            assertEquals("precious too\n", Files.readString(victim2));
            assertFalse(Files.isSymbolicLink(run.resolve("corral.sock.start.log")), "the planted start log was unlinked, not followed");

            Files.delete(run.resolve("corral.sock.lock"));
            own.ok("--socket-dir-shared", "ping");
            assertEquals("precious\n", Files.readString(victim));
        }
    }

    /** Found by the probe: tmux.conf in the state directory with bytes that are not UTF-8 broke every tmux spawn. */
    @Test
    void aTmuxConfigurationThatIsNotUtf8OrALinkIsWrittenAfreshAndTmuxSpawnsGoOn() throws IOException {
        Path tmux = Files.createDirectories(sandbox.stateDir().resolve("tmux"));
        Path config = tmux.resolve("tmux.conf");
        Files.deleteIfExists(config);
        Files.write(config, new byte[] {'s', 'e', 't', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
        Run.Result spawned = sandbox.corral("spawn", "--kind", "tmux", "--name", "conf-bytes", "--", "sh", "-c", "echo conf-ok; sleep 60");
        assertEquals(0, spawned.exit(), spawned.toString());
        sandbox.awaitTail("conf-bytes", "conf-ok");
        assertTrue(Files.readString(config).contains("status off"), "corral's own configuration is back");
        sandbox.ok("rm", "--force", "conf-bytes");

        Path secret = Files.writeString(dir.resolve("tmux-secret"), "not tmux's\n");
        Files.delete(config);
        Files.createSymbolicLink(config, secret);
        Run.Result linked = sandbox.corral("spawn", "--kind", "tmux", "--name", "conf-link", "--", "sh", "-c", "echo link-ok; sleep 60");
        assertEquals(0, linked.exit(), linked.toString());
        sandbox.awaitTail("conf-link", "link-ok");
        assertFalse(Files.isSymbolicLink(config), "the link is replaced, not written through");
        assertEquals("not tmux's\n", Files.readString(secret));
        sandbox.ok("rm", "--force", "conf-link");
    }

    @Test
    void aWorkspaceOverTheManifestBoundRunsWithoutOneAndItsBannerSaysSo() throws IOException {
        Path ws = Files.createDirectories(dir.resolve("big")).toRealPath();
        for (int i = 0; i < 120; i++) {
            Files.writeString(ws.resolve("f" + i), "x");
        }
        try (Sandbox own = new Sandbox(Files.createDirectories(dir.resolve("bounded")))) {
            own.startDaemon("--manifest-max-files", "50");
            Run.Result spawned = own.ok("spawn", "--name", "big", "--workspace", ws, "--", "true");
            assertTrue(spawned.err().contains("is over the manifest bound (more than 50 files"), spawned.toString());
            assertEquals(0, own.corral("wait", "big").exit());
            Map<String, Object> shown = json(own.ok("--json", "lease", "show", ws));
            assertTrue(String.valueOf(shown.get("lastSessionBanner")).contains("files: not compared (over the manifest bound"),
                    shown.toString());
        }
    }

    @Test
    void aWorkspaceInProcIsNotHashedForLong() {
        long began = System.nanoTime();
        Run.Result spawned = sandbox.corral("spawn", "--name", "in-proc", "--workspace", "/proc/self", "--", "true");
        long seconds = (System.nanoTime() - began) / 1_000_000_000L;
        assertEquals(0, spawned.exit(), spawned.toString());
        assertTrue(seconds < 15, "the spawn took " + seconds + " s: " + spawned);
    }
}
