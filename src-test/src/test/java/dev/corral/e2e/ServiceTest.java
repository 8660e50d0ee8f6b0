package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Repo;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * corrald as a service: the systemd units and the LaunchAgent that {@code corral daemon install}
 * writes, checked by systemd-analyze and plistlib; real socket activation through
 * systemd-socket-activate; the sd_notify messages on a datagram socket of the test's own.
 */
class ServiceTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Sandbox sandbox() throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home);
        return new Sandbox(dir).withEnv("HOME", home.toString()).withEnv("XDG_CONFIG_HOME", home.resolve(".config").toString());
    }

    @Test
    void installWritesSystemdUnitsWithRealPathsThatSystemdAnalyzeAccepts() throws IOException {
        try (Sandbox sandbox = sandbox()) {
            Path units = dir.resolve("home/.config/systemd/user");
            Path service = units.resolve("corrald.service");
            Path socket = units.resolve("corrald.socket");

            Run.Result dry = sandbox.ok("daemon", "install", "--systemd", "--dry-run");
            assertTrue(dry.out().contains("# " + service + " (would be created)"), dry.toString());
            // The sandbox names its socket and state directory (CORRAL_SOCKET, CORRAL_STATE_DIR): the units carry them.
            String execStart = "ExecStart=" + Repo.corrald() + " --state-dir " + sandbox.stateDir() + " --socket " + sandbox.socket();
            assertTrue(dry.out().contains(execStart + "\n"), dry.toString());
            assertFalse(Files.exists(service) || Files.exists(socket), "--dry-run wrote a file");

            Run.Result install = sandbox.ok("daemon", "install", "--systemd");
            assertTrue(install.out().contains("created " + service), install.toString());
            assertTrue(install.out().contains("next: systemctl --user daemon-reload && systemctl --user enable --now corrald.socket"),
                    install.toString());
            String serviceText = Files.readString(service);
            String socketText = Files.readString(socket);
            assertTrue(serviceText.contains("\nType=notify\n") && serviceText.contains("\nWatchdogSec="), serviceText);
            assertTrue(serviceText.contains("\n" + execStart + "\n"), serviceText);
            assertTrue(socketText.contains("\nListenStream=" + sandbox.socket() + "\n"), socketText);
            assertFalse(serviceText.contains("@CORRAL_") || socketText.contains("@CORRAL_"), "a placeholder is left");

            Path runtime = dir.resolve("runtime");
            Files.createDirectories(runtime);
            Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
            Run.Result verify = Run.command(Map.of("XDG_RUNTIME_DIR", runtime.toString()), DEADLINE,
                    Run.argv("systemd-analyze", "verify", "--user", socket, service));
            assertEquals(0, verify.exit(), verify.toString());
            assertEquals("", verify.err(), "systemd-analyze verify complained:\n" + verify);

            Run.Result again = sandbox.ok("daemon", "install", "--systemd");
            assertTrue(again.out().contains("unchanged " + service), again.toString());

            Files.writeString(service, serviceText.replace("WatchdogSec=30s", "WatchdogSec=90s"));
            Run.Result refused = sandbox.corral("daemon", "install", "--systemd");
            assertEquals(4, refused.exit(), refused.toString());
            assertTrue(refused.err().contains(service + " exists and differs") && refused.err().contains("--force"), refused.toString());
            assertTrue(Files.readString(service).contains("WatchdogSec=90s"), "a changed file was overwritten without --force");

            Run.Result forced = sandbox.ok("daemon", "install", "--systemd", "--force");
            assertTrue(forced.out().contains("replaced " + service), forced.toString());
            assertEquals(serviceText, Files.readString(service));

            Run.Result uninstall = sandbox.ok("daemon", "uninstall", "--systemd");
            assertTrue(uninstall.out().contains("removed " + service) && uninstall.out().contains("removed " + socket), uninstall.toString());
            assertTrue(uninstall.out().contains("systemctl --user disable --now corrald.socket"), uninstall.toString());
            assertFalse(Files.exists(service) || Files.exists(socket));
        }
    }

    /**
     * What a new user gets: no --socket, CORRAL_SOCKET, CORRAL_STATE_DIR or XDG_RUNTIME_DIR in the
     * shell (as on a machine without a systemd user session). The units use systemd's own %t
     * socket and the default state directory, systemd-analyze accepts them, and install says that
     * this shell's corral would use another socket.
     */
    @Test
    void installWithTheDefaultsWritesUnitsOnTheRuntimeDirectoryAndSaysWhenTheShellHasNone() throws IOException {
        try (Sandbox sandbox = sandbox()) {
            Path home = dir.resolve("home");
            Path units = home.resolve(".config/systemd/user");
            List<String> argv = Run.argv("env", "-u", "CORRAL_SOCKET", "-u", "CORRAL_STATE_DIR", "-u", "XDG_RUNTIME_DIR",
                    "-u", "XDG_CONFIG_HOME", "HOME=" + home, Repo.corral(), "daemon", "install", "--systemd");
            Run.Result install = Run.command(sandbox.env(), DEADLINE, argv);
            assertEquals(0, install.exit(), install.toString());
            String service = Files.readString(units.resolve("corrald.service"));
            String socket = Files.readString(units.resolve("corrald.socket"));
            assertTrue(service.contains("\nExecStart=" + Repo.corrald() + " --socket %t/corral/corral.sock\n"), service);
            assertTrue(socket.contains("\nListenStream=%t/corral/corral.sock\n"), socket);
            assertTrue(service.contains("\nEnvironment=CORRAL_JAVA=/") && !service.contains("@CORRAL_"), service);
            Object uid = Files.getAttribute(home, "unix:uid");
            assertTrue(install.err().contains("corral: note: this shell has no XDG_RUNTIME_DIR, so corral here uses /tmp/corral-"
                    + uid + "/corral.sock, not the units' socket %t/corral/corral.sock"), install.toString());

            Path runtime = dir.resolve("runtime");
            Files.createDirectories(runtime);
            Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
            Run.Result verify = Run.command(Map.of("XDG_RUNTIME_DIR", runtime.toString()), DEADLINE,
                    Run.argv("systemd-analyze", "verify", "--user", units.resolve("corrald.socket"), units.resolve("corrald.service")));
            assertEquals(0, verify.exit(), verify.toString());
            assertEquals("", verify.err(), "systemd-analyze verify complained:\n" + verify);

            // With XDG_RUNTIME_DIR set, the client's default is the units' socket: nothing to say.
            List<String> withRuntime = Run.argv("env", "-u", "CORRAL_SOCKET", "-u", "CORRAL_STATE_DIR", "-u", "XDG_CONFIG_HOME",
                    "XDG_RUNTIME_DIR=" + runtime, "HOME=" + home, Repo.corral(), "daemon", "install", "--systemd", "--dry-run");
            Run.Result quiet = Run.command(sandbox.env(), DEADLINE, withRuntime);
            assertEquals(0, quiet.exit(), quiet.toString());
            assertEquals("", quiet.err(), quiet.toString());
            assertTrue(quiet.out().contains("(would be unchanged)"), quiet.toString());
        }
    }

    @Test
    void socketActivationStartsCorraldOnTheFirstConnectionAndItNotifiesTheManager() throws Exception {
        try (Sandbox sandbox = sandbox()) {
            Path notifySocket = dir.resolve("notify.sock");
            Process manager = new ProcessBuilder("python3", Repo.python("service_helper.py").toString(), "notify", notifySocket.toString())
                    .redirectErrorStream(true).start();
            List<String> messages = Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> read(manager, messages), "notify-reader");
            reader.setDaemon(true);
            reader.start();
            Process activator = null;
            try {
                Deadline.await(DEADLINE, () -> "the notify socket to be bound: " + messages, () -> messages.contains("bound"));
                Files.createDirectories(sandbox.socket().getParent());
                List<String> argv = Run.argv("systemd-socket-activate", "-l", sandbox.socket(),
                        "-E", "NOTIFY_SOCKET=" + notifySocket, "-E", "WATCHDOG_USEC=1000000",
                        "-E", "CORRAL_STATE_DIR=" + sandbox.stateDir(), "-E", "HOME=" + dir.resolve("home"),
                        Repo.corrald(), "--socket", sandbox.socket(), "--state-dir", sandbox.stateDir());
                ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("activator.out").toFile());
                builder.environment().putAll(sandbox.env());
                activator = builder.start();
                Process started = activator;
                Deadline.await(DEADLINE, () -> "systemd-socket-activate to listen on " + sandbox.socket() + ":\n" + out(),
                        () -> Files.exists(sandbox.socket()));
                // Listening, but nothing started yet: corrald comes with the first connection.
                assertFalse(Files.exists(sandbox.stateDir()), "corrald started before any client connected");
                assertTrue(messages.stream().noneMatch(m -> m.contains("READY=1")), messages.toString());

                Run.Result ping = sandbox.ok("ping");
                assertTrue(ping.out().startsWith("pong from corrald"), ping.toString());
                Map<?, ?> status = (Map<?, ?>) Json.read(sandbox.ok("--json", "daemon", "status").out().getBytes(StandardCharsets.UTF_8));
                long pid = ((Number) status.get("pid")).longValue();
                // systemd-socket-activate execs bin/corrald, which execs java (or runs it as its child once, for its CDS archive).
                assertTrue(pid == started.pid() || ProcessHandle.of(pid).flatMap(ProcessHandle::parent)
                        .map(p -> p.pid() == started.pid()).orElse(false), "corrald pid " + pid + " is not the activated process " + started.pid());
                Run.Result spawn = sandbox.ok("spawn", "--name", "svc", "--", "sh", "-c", "echo from-a-service; sleep 60");
                assertEquals("svc", spawn.out().trim());
                sandbox.awaitTail("svc", "from-a-service");

                Deadline.await(DEADLINE, () -> "READY=1, then WATCHDOG=1 on the notify socket: " + messages,
                        () -> index(messages, "WATCHDOG=1", index(messages, "READY=1", 0)) >= 0);
                String ready = messages.get(index(messages, "READY=1", 0));
                assertTrue(ready.contains("\nSTATUS=serving " + sandbox.socket()), ready);

                activator.destroy();  // SIGTERM, as systemctl stop sends it
                assertTrue(activator.waitFor(30, TimeUnit.SECONDS), "corrald did not exit within 30 s of SIGTERM:\n" + out());
                assertEquals(0, activator.exitValue(), "corrald's exit status after SIGTERM:\n" + out());
                Deadline.await(DEADLINE, () -> "STOPPING=1 after the watchdog: " + messages,
                        () -> index(messages, "STOPPING=1", index(messages, "WATCHDOG=1", 0)) >= 0);
                assertTrue(Files.exists(sandbox.socket()), "corrald removed the socket that belongs to the service manager");
                assertTrue(Files.readString(sandbox.log()).contains("socket passed by the service manager as fd 3"), sandbox.logTail(20));
            } finally {
                if (activator != null && activator.isAlive()) {
                    activator.destroyForcibly();
                }
                manager.destroyForcibly();
            }
        }
    }

    @Test
    void installWritesALaunchAgentThatPlistlibReadsWithRealPaths() throws IOException {
        try (Sandbox sandbox = sandbox()) {
            Path plist = dir.resolve("home/Library/LaunchAgents/dev.corral.corrald.plist");
            Run.Result install = sandbox.ok("daemon", "install", "--launchd");
            assertTrue(install.out().contains("created " + plist), install.toString());
            assertTrue(install.out().contains("next: launchctl bootstrap gui/$(id -u) " + plist), install.toString());

            Run.Result check = Run.command(Map.of(), DEADLINE, Run.argv("python3", Repo.python("service_helper.py"), "plist", plist));
            assertEquals(0, check.exit(), check.toString());
            Map<?, ?> agent = (Map<?, ?>) Json.read(check.out().getBytes(StandardCharsets.UTF_8));
            // The sandbox's own socket is written in: launchd gives the agent no CORRAL_SOCKET or XDG_RUNTIME_DIR.
            assertEquals(List.of(Repo.corrald().toString(), "--socket", sandbox.socket().toString(), "--state-dir",
                    sandbox.stateDir().toString()), agent.get("program"));
            assertEquals(Map.of("SuccessfulExit", false), agent.get("keepAlive"));
            assertEquals(Boolean.TRUE, agent.get("runAtLoad"));
            assertEquals(sandbox.stateDir().resolve("log/launchd.err.log").toString(), agent.get("stderr"));
            assertTrue(Files.isExecutable(Path.of(String.valueOf(((Map<?, ?>) agent.get("env")).get("CORRAL_JAVA")))), agent.toString());

            sandbox.ok("daemon", "uninstall", "--launchd");
            assertFalse(Files.exists(plist));
        }
    }

    private String out() {
        try {
            return Files.readString(dir.resolve("activator.out"));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static void read(Process process, List<String> messages) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                messages.add(line.equals("bound") ? line : String.valueOf(Json.read(line.getBytes(StandardCharsets.UTF_8))));
            }
        } catch (IOException e) {
            messages.add("reader failed: " + e);
        }
    }

    /** The first message at or after {@code from} that holds the line {@code line}, or -1. */
    private static int index(List<String> messages, String line, int from) {
        if (from < 0) {
            return -1;
        }
        synchronized (messages) {
            for (int i = from; i < messages.size(); i++) {
                if (List.of(messages.get(i).split("\n")).contains(line)) {
                    return i;
                }
            }
        }
        return -1;
    }
}
