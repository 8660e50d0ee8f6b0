package dev.corral.client;

import dev.corral.protocol.Endpoint;
import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code corral daemon run|start|stop|status}: the daemon's own life. None of these auto-starts it. */
@Command(name = "daemon", description = "Run, start, stop or inspect corrald.",
        subcommands = {DaemonCommand.Run.class, DaemonCommand.Start.class, DaemonCommand.Stop.class,
                DaemonCommand.Status.class})
final class DaemonCommand {
    private static final long STOP_DEADLINE_SECONDS = 15;

    @ParentCommand
    Corral corral;

    @Command(name = "run", description = "Run corrald in the foreground (for systemd, launchd or a terminal).")
    static final class Run implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        DaemonCommand daemon;

        @Override
        public Integer call() throws Exception {
            // bin/corral execs corrald itself; this path serves a client started some other way.
            var launcher = Corral.home().resolve("bin").resolve("corrald").toString();
            List<String> command = new java.util.ArrayList<>(List.of(launcher, "--socket",
                    daemon.corral.endpoint().socket().toString()));
            if (daemon.corral.endpoint().sharedDirectory()) {
                command.add("--socket-dir-shared");
            }
            Process process = new ProcessBuilder(command).inheritIO().start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            return process.waitFor();
        }
    }

    @Command(name = "start", description = "Start corrald in the background; returns once it answers.")
    static final class Start implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        DaemonCommand daemon;

        @Override
        public Integer call() {
            Corral corral = daemon.corral;
            Endpoint endpoint = corral.endpoint();
            DaemonConnection running = DaemonConnection.tryOpen(endpoint);
            boolean started = running == null;
            Object pid;
            if (running != null) {
                pid = running.hello().get("pid");
                running.close();
            } else {
                pid = DaemonLauncher.ensureRunning(endpoint);
            }
            if (corral.json) {
                System.out.println(Json.writeString(Map.of("socket", endpoint.socket().toString(),
                        "pid", pid, "started", started)));
            } else if (started) {
                System.out.println("corrald started on " + endpoint.socket() + " (pid " + pid + ")");
            } else {
                System.out.println("corrald is already running on " + endpoint.socket() + " (pid " + pid + ")");
            }
            return Exit.OK;
        }
    }

    @Command(name = "stop", description = "Stop corrald gracefully; returns once it has exited.")
    static final class Stop implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        DaemonCommand daemon;

        @Override
        public Integer call() {
            Corral corral = daemon.corral;
            Endpoint endpoint = corral.endpoint();
            DaemonConnection connection = DaemonConnection.tryOpen(endpoint);
            if (connection == null) {
                report(corral, endpoint, null, false, "corrald is not running on " + endpoint.socket());
                return Exit.OK;
            }
            long pid;
            try (connection) {
                pid = ((Number) connection.require(Op.SHUTDOWN, null).get("pid")).longValue();
            }
            if (!awaitExit(pid, endpoint)) {
                throw new CliFailure(Exit.FAILED, null, "corrald (pid " + pid + ") did not stop within "
                        + STOP_DEADLINE_SECONDS + " s; its log is in the state directory");
            }
            report(corral, endpoint, pid, true, "corrald stopped (pid " + pid + ")");
            return Exit.OK;
        }

        private static boolean awaitExit(long pid, Endpoint endpoint) {
            var process = ProcessHandle.of(pid);
            if (process.isPresent()) {
                try {
                    process.get().onExit().get(STOP_DEADLINE_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } catch (ExecutionException e) {
                    return false;
                }
            }
            return !Files.exists(endpoint.socket(), LinkOption.NOFOLLOW_LINKS);
        }

        private static void report(Corral corral, Endpoint endpoint, Long pid, boolean stopped, String text) {
            if (corral.json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("socket", endpoint.socket().toString());
                result.put("pid", pid);
                result.put("stopped", stopped);
                System.out.println(Json.writeString(result));
            } else {
                System.out.println(text);
            }
        }
    }

    @Command(name = "status", description = "Show corrald's version, pid, uptime, socket and protocol.")
    static final class Status implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        DaemonCommand daemon;

        @Override
        public Integer call() {
            Corral corral = daemon.corral;
            Map<String, Object> status;
            try (DaemonConnection connection = DaemonConnection.open(corral.endpoint(), false)) {
                status = connection.require(Op.DAEMON_STATUS, null);
            }
            if (corral.json) {
                System.out.println(Json.writeString(status));
                return Exit.OK;
            }
            System.out.println("corrald " + status.get("version") + " running (pid " + status.get("pid") + ")");
            for (String key : List.of("socket", "stateDir", "protocol", "transport", "connections")) {
                System.out.printf("  %-12s %s%n", key, status.get(key));
            }
            System.out.printf("  %-12s %s%n", "uptime", uptime(((Number) status.get("uptimeSeconds")).longValue()));
            return Exit.OK;
        }

        private static String uptime(long seconds) {
            long h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60;
            return h > 0 ? h + "h " + m + "m " + s + "s" : m > 0 ? m + "m " + s + "s" : s + "s";
        }
    }

}
