package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Repo;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in the corners a new user finds: each test here is one fault from issue 17, as a user
 * would meet it through bin/corral, and fails on the code before that fix.
 */
class CliCornersTest {
    @TempDir
    Path dir;

    @Test
    void aSecondDaemonOnAnotherSocketIsRefusedTheStateDirectoryInUse() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            sandbox.ok("spawn", "--name", "precious", "--", "sleep", "120");
            long first = sandbox.lockHolderPid();
            Path typo = dir.resolve("run/corral-typo.sock");
            // A typo in --socket auto-starts a daemon there: it must not take over this state directory.
            Run.Result other = sandbox.corral("--socket", typo, "ls");
            assertEquals(5, other.exit(), other.toString());
            assertTrue(other.err().contains("state directory " + sandbox.stateDir() + " is in use by corrald pid " + first
                    + " serving " + sandbox.socket()), other.toString());
            Run.Result direct = Run.command(sandbox.env(), Sandbox.COMMAND_DEADLINE,
                    Run.argv(Repo.corrald(), "--socket", typo, "--state-dir", sandbox.stateDir()));
            assertEquals(4, direct.exit(), direct.toString());
            assertEquals("running", sandbox.show("precious").get("state"), "the first daemon's session was touched");
        }
    }

    @Test
    void homeAndXdgVariablesDecideTheDefaultPaths() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Path home = dir.resolve("someone");
            Files.createDirectories(home);
            // Without CORRAL_STATE_DIR, XDG_STATE_HOME, XDG_CONFIG_HOME and CORRAL_CONFIG: $HOME decides, not Java's user.home.
            List<String> argv = new ArrayList<>(Run.argv("env", "-u", "CORRAL_STATE_DIR", "-u", "XDG_STATE_HOME",
                    "-u", "XDG_CONFIG_HOME", "-u", "CORRAL_CONFIG", "HOME=" + home, Repo.corral()));
            Run.Result status = Run.command(sandbox.env(), Sandbox.COMMAND_DEADLINE, concat(argv, "--json", "ping"));
            assertEquals(0, status.exit(), status.toString());
            Map<?, ?> daemon = json(Run.command(sandbox.env(), Sandbox.COMMAND_DEADLINE, concat(argv, "--json", "daemon", "status")).out());
            assertEquals(home.resolve(".local/state/corral").toString(), daemon.get("stateDir"));
            Run.Result profiles = Run.command(sandbox.env(), Sandbox.COMMAND_DEADLINE, concat(argv, "profile", "ls"));
            assertTrue(profiles.out().contains("config: " + home.resolve(".config/corral/config.toml")), profiles.toString());
            // The daemon's environment decides the config file, not the asking client's.
            Run.Result elsewhere = Run.command(sandbox.env(), Sandbox.COMMAND_DEADLINE, Run.argv("env", "-u", "CORRAL_STATE_DIR",
                    "HOME=" + dir.resolve("another"), "XDG_CONFIG_HOME=" + dir.resolve("another/.config"),
                    "CORRAL_CONFIG=" + dir.resolve("another/config.toml"), Repo.corral(), "profile", "ls"));
            assertTrue(elsewhere.out().contains("config: " + home.resolve(".config/corral/config.toml")), elsewhere.toString());
            Run.Result stop = Run.command(sandbox.env(), Sandbox.COMMAND_DEADLINE, concat(argv, "daemon", "stop"));
            assertEquals(0, stop.exit(), stop.toString());

            Path xdg = dir.resolve("xdg-state");
            List<String> withXdg = new ArrayList<>(Run.argv("env", "-u", "CORRAL_STATE_DIR", "XDG_STATE_HOME=" + xdg,
                    "HOME=" + home, Repo.corral()));
            Map<?, ?> again = json(Run.command(sandbox.env(), Sandbox.COMMAND_DEADLINE, concat(withXdg, "--json", "ping")).out());
            assertEquals(Boolean.TRUE, again.get("pong"), again.toString());
            Map<?, ?> xdgStatus = json(Run.command(sandbox.env(), Sandbox.COMMAND_DEADLINE, concat(withXdg, "--json", "daemon", "status")).out());
            assertEquals(xdg.resolve("corral").toString(), xdgStatus.get("stateDir"));
        }
    }

    @Test
    void daemonStopSaysWhatItEndsAndRecordsCleanExitsAsExited() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            sandbox.ok("spawn", "--name", "clean", "--", "sh", "-c", "trap 'exit 0' HUP; echo ready; while :; do sleep 0.1; done");
            sandbox.awaitTail("clean", "ready");
            Run.Result stop = sandbox.ok("daemon", "stop");
            Map<String, Object> after = sandbox.show("clean");  // a new daemon, from the records
            assertEquals("exited", after.get("state"), after.toString());
            assertEquals(0, ((Number) after.get("exitCode")).intValue(), after.toString());
            assertTrue(stop.out().contains("; ended 1 PTY session (clean)"), stop.toString());
        }
    }

    @Test
    void unknownSessionsExit3AndLostSessionsSayTheSameForAttachAndWait() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            for (List<String> command : List.of(List.of("show"), List.of("kill"), List.of("rm"), List.of("send", "nope", "hi"),
                    List.of("tail"), List.of("wait"), List.of("attach"))) {
                List<Object> args = new ArrayList<>(command);
                if (command.size() == 1) {
                    args.add("nope");
                }
                Run.Result result = sandbox.corral(args.toArray());
                assertEquals(3, result.exit(), result.toString());
                assertTrue(result.err().contains("no session named 'nope'"), result.toString());
            }

            sandbox.ok("spawn", "--name", "gone", "--", "sleep", "300");
            sandbox.crashDaemon();
            Run.Result waited = sandbox.corral("wait", "gone");
            Run.Result attached = sandbox.corral("attach", "gone");
            String message = "corral: session gone was lost: its program ended while no daemon watched it, so its exit status is unknown";
            assertEquals(125, waited.exit(), waited.toString());
            assertEquals(125, attached.exit(), attached.toString());
            assertTrue(waited.err().contains(message), waited.toString());
            assertTrue(attached.err().contains(message), attached.toString());
            assertFalse(attached.err().contains("status -1"), attached.toString());
        }
    }

    @Test
    void valuesAreCheckedInTheClientWithExit2InTheCliWords() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
            cases.put(List.of("spawn", "--size", "0x0", "--", "true"), "Invalid value for option '--size': '0x0': columns and rows must each be 1 to 1000");
            cases.put(List.of("spawn", "--size", "100000x100000", "--", "true"), "'100000x100000': columns and rows must each be 1 to 1000");
            cases.put(List.of("spawn", "--size", "wide", "--", "true"), "'wide' is not COLSxROWS");
            cases.put(List.of("tail", "x", "--bytes", "-5"), "Invalid value for option '--bytes': '-5' is negative");
            cases.put(List.of("wait", "x", "--timeout", "-1"), "Invalid value for option '--timeout': '-1' is negative");
            cases.put(List.of("container", "logs", "x", "--tail", "-3"), "Invalid value for option '--tail': '-3' is negative");
            cases.put(List.of("spawn", "--kind", "container", "--workspace", dir.toString(), "--memory", "lots", "--", "true"),
                    "Invalid value for option '--memory': 'lots' is not a size");
            cases.put(List.of("image", "build", "--tag", "bad tag"), "Invalid value for option '--tag': 'bad tag' is not an image tag");
            cases.forEach((args, expected) -> {
                Run.Result result = sandbox.corral(args.toArray());
                assertEquals(2, result.exit(), result.toString());
                assertTrue(result.err().startsWith("corral: ") && result.err().contains(expected), result.toString());
                assertFalse(result.err().contains("args.") || result.err().contains("building"), result.toString());
                assertEquals("", result.out(), result.toString());
            });
            assertFalse(sandbox.socketExists(), "a value the client can check reached a daemon");
        }
    }

    @Test
    void waitTimeoutZeroLooksWithoutWaiting() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            sandbox.ok("spawn", "--name", "slow", "--", "sleep", "300");
            long started = System.nanoTime();
            Run.Result running = sandbox.corral("wait", "slow", "--timeout", "0");
            assertEquals(124, running.exit(), running.toString());
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20, "wait --timeout 0 waited");
            sandbox.ok("spawn", "--name", "quick", "--", "sh", "-c", "exit 7");
            assertEquals(7, sandbox.corral("wait", "quick").exit());
            Run.Result done = sandbox.corral("wait", "quick", "--timeout", "0");
            assertEquals(7, done.exit(), done.toString());
        }
    }

    @Test
    void spawnFailuresAreWordedForPeople() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Run.Result missing = sandbox.corral("spawn", "--", "nosuchcommand-corral");
            assertEquals(1, missing.exit(), missing.toString());
            assertTrue(missing.err().contains("cannot start nosuchcommand-corral: no such command on the daemon's PATH"), missing.toString());
            assertFalse(missing.err().contains("Exec_tty"), missing.toString());

            Run.Result file = sandbox.corral("spawn", "--cwd", "/etc/passwd", "--", "true");
            assertEquals(2, file.exit(), file.toString());
            assertTrue(file.err().contains("--cwd /etc/passwd is not a directory"), file.toString());

            Run.Result workspace = sandbox.corral("spawn", "--workspace", "/proc/nope", "--", "true");
            assertEquals(1, workspace.exit(), workspace.toString());
            assertTrue(workspace.err().contains("cannot create workspace /proc/nope: "), workspace.toString());
            assertFalse(workspace.err().contains("Exception"), workspace.toString());
        }
    }

    @Test
    void imageBuildWithoutAnEngineQuotesDockersRealError() throws IOException {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/docker")) || Files.isExecutable(Path.of("/usr/local/bin/docker")),
                "this test needs the docker CLI (bin/test installs docker.io)");
        try (Sandbox sandbox = new Sandbox(dir).withEnv("DOCKER_HOST", "unix://" + dir.resolve("no-engine.sock"))) {
            Run.Result build = sandbox.corral("image", "build");
            assertEquals(1, build.exit(), build.toString());
            assertTrue(build.err().contains("Cannot connect to the Docker daemon at unix://" + dir.resolve("no-engine.sock"))
                    || build.err().contains("no-engine.sock: connect: no such file"), build.toString());
            assertFalse(build.err().contains("DEPRECATED"), build.toString());
        }
    }

    @Test
    void lsHasAKindColumnInCreationOrderAndShowReadsAsKeyValueLines() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            for (String name : List.of("zeta", "alpha", "mid")) {
                sandbox.ok("spawn", "--name", name, "--", "sleep", "300");
            }
            sandbox.ok("daemon", "stop");
            // A new daemon reads the records back in whatever order the directory lists them.
            List<String> lines = sandbox.ok("ls", "--all").out().lines().toList();
            assertTrue(lines.get(0).matches("NAME +KIND +STATE .*"), lines.toString());
            assertEquals(List.of("zeta", "alpha", "mid"), lines.stream().skip(1).map(line -> line.split(" +")[0]).toList());
            assertTrue(lines.get(1).split(" +")[1].equals("pty"), lines.toString());

            String show = sandbox.ok("show", "zeta").out();
            for (String line : show.lines().toList()) {
                assertTrue(line.matches("[a-zA-Z]+: \\S.*"), "not a key: value line: '" + line + "' in\n" + show);
            }
            assertTrue(show.contains("\nsize: 80x24\n") && show.contains("\nworkspace: -\n") && show.contains("\ncommand: sleep 300\n"), show);
        }
    }

    @Test
    void jsonErrorsAreAnObjectOnStderr() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            Run.Result unknown = sandbox.corral("--json", "show", "nope");
            assertEquals(3, unknown.exit(), unknown.toString());
            Map<?, ?> error = (Map<?, ?>) json(unknown.err()).get("error");
            assertEquals("NO_SUCH_SESSION", error.get("code"));
            assertTrue(String.valueOf(error.get("message")).contains("no session named 'nope'"), error.toString());

            Run.Result usage = sandbox.corral("--json", "spawn", "--size", "0x0", "--", "true");
            assertEquals(2, usage.exit(), usage.toString());
            assertEquals("USAGE", ((Map<?, ?>) json(usage.err()).get("error")).get("code"));
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static Map<?, ?> json(String text) {
        try {
            return (Map<?, ?>) Json.read(text.strip().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("not a JSON object: " + text, e);
        }
    }
}
