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
                DaemonCommand.Status.class, DaemonCommand.Install.class, DaemonCommand.Uninstall.class})
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
            Map<String, Object> answer;
            try (connection) {
                answer = connection.require(Op.SHUTDOWN, null);
                pid = ((Number) answer.get("pid")).longValue();
            }
            if (!awaitExit(pid, endpoint)) {
                throw new CliFailure(Exit.FAILED, null, "corrald (pid " + pid + ") did not stop within "
                        + STOP_DEADLINE_SECONDS + " s; its log is in the state directory");
            }
            report(corral, endpoint, pid, true, "corrald stopped (pid " + pid + ")" + sessions(answer));
            return Exit.OK;
        }

        /** What the stop did to sessions: PTY sessions end with the daemon, tmux and container sessions go on. */
        private static String sessions(Map<String, Object> answer) {
            if (!(answer.get("endingSessions") instanceof List<?> ending)) {
                return "";  // an older daemon does not say
            }
            int surviving = answer.get("survivingSessions") instanceof Number n ? n.intValue() : 0;
            StringBuilder text = new StringBuilder("; ended ").append(ending.size())
                    .append(ending.size() == 1 ? " PTY session" : " PTY sessions");
            if (!ending.isEmpty()) {
                text.append(" (").append(String.join(", ", ending.stream().map(String::valueOf).toList())).append(')');
            }
            if (surviving > 0) {
                text.append("; ").append(surviving).append(surviving == 1 ? " tmux or container session keeps"
                        : " tmux or container sessions keep").append(" running for the next corrald");
            }
            return text.toString();
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

    /** --systemd or --launchd; neither: the one this system has. */
    static final class ManagerChoice {
        @picocli.CommandLine.Option(names = "--systemd", description = "systemd user units (default on Linux).")
        boolean systemd;

        @picocli.CommandLine.Option(names = "--launchd", description = "A launchd LaunchAgent (default on macOS).")
        boolean launchd;

        static ServiceFiles.Manager of(ManagerChoice choice) {
            if (choice == null) {
                return ServiceFiles.Manager.forThisSystem();
            }
            return choice.launchd ? ServiceFiles.Manager.LAUNCHD : ServiceFiles.Manager.SYSTEMD;
        }
    }

    @Command(name = "install", description = {"Write the service files for corrald, with this installation's paths, "
            + "into your user's unit folder (~/.config/systemd/user or ~/Library/LaunchAgents), and say what to type next.",
            "A file you changed is left alone unless --force."})
    static final class Install implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        DaemonCommand daemon;

        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
        ManagerChoice manager;

        @picocli.CommandLine.Option(names = "--dry-run", description = "Print each file and where it would go; write nothing.")
        boolean dryRun;

        @picocli.CommandLine.Option(names = "--force", description = "Overwrite files that differ from what would be written.")
        boolean force;

        @Override
        public Integer call() {
            ServiceFiles.Manager chosen = ManagerChoice.of(manager);
            Corral corral = daemon.corral;
            List<ServiceFiles.File> files;
            try {
                files = ServiceFiles.render(chosen, Corral.home().toAbsolutePath().normalize(), corral.endpoint(), System.getenv());
            } catch (java.io.IOException e) {
                throw new CliFailure(Exit.FAILED, null, e.getMessage());
            }
            List<Map<String, Object>> report = new java.util.ArrayList<>();
            List<ServiceFiles.File> toWrite = new java.util.ArrayList<>();
            for (ServiceFiles.File file : files) {
                String action;
                String existing = read(file.target());
                if (existing == null) {
                    action = "created";
                } else if (existing.equals(file.text())) {
                    action = "unchanged";
                } else if (force) {
                    action = "replaced";
                } else {
                    throw new CliFailure(Exit.CONFLICT, null, file.target() + " exists and differs from what corral would write;"
                            + " see the difference with 'corral daemon install --dry-run', keep yours, or replace it with --force");
                }
                if (!action.equals("unchanged")) {
                    toWrite.add(file);
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("path", file.target().toString());
                entry.put("action", dryRun ? "would be " + action : action);
                if (dryRun) {
                    entry.put("text", file.text());
                }
                report.add(entry);
            }
            if (!dryRun) {
                for (ServiceFiles.File file : toWrite) {
                    write(file);
                }
            }
            String next = ServiceFiles.nextStep(chosen, files);
            List<String> notes = ServiceFiles.notes(chosen, corral.endpoint(), System.getenv());
            if (corral.json) {
                System.out.println(Json.writeString(Map.of("manager", chosen.name().toLowerCase(), "dryRun", dryRun,
                        "files", report, "next", next, "notes", notes)));
                return Exit.OK;
            }
            for (int i = 0; i < files.size(); i++) {
                if (dryRun) {
                    System.out.println("# " + files.get(i).target() + " (" + report.get(i).get("action") + ")");
                    System.out.print(files.get(i).text());
                    System.out.println();
                } else {
                    System.out.println(report.get(i).get("action") + " " + files.get(i).target());
                }
            }
            System.out.println((dryRun ? "after installing, " : "next: ") + next);
            notes.forEach(note -> System.err.println("corral: note: " + note));
            return Exit.OK;
        }

        private static String read(java.nio.file.Path file) {
            try {
                return Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.nio.file.NoSuchFileException e) {
                return null;
            } catch (java.io.IOException e) {
                throw new CliFailure(Exit.FAILED, null, "cannot read " + file + ": " + e.getMessage());
            }
        }

        /** Atomically: a temporary file beside the target, then a rename. */
        private static void write(ServiceFiles.File file) {
            java.nio.file.Path target = file.target();
            try {
                Files.createDirectories(target.getParent());
                java.nio.file.Path temporary = target.resolveSibling("." + target.getFileName() + ".corral-tmp");
                Files.writeString(temporary, file.text(), java.nio.charset.StandardCharsets.UTF_8);
                Files.move(temporary, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.io.IOException e) {
                throw new CliFailure(Exit.FAILED, null, "cannot write " + target + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "uninstall", description = "Remove the service files 'corral daemon install' wrote (stop the service first; it says how).")
    static final class Uninstall implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        DaemonCommand daemon;

        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
        ManagerChoice manager;

        @Override
        public Integer call() {
            ServiceFiles.Manager chosen = ManagerChoice.of(manager);
            List<ServiceFiles.File> files;
            try {
                files = ServiceFiles.render(chosen, Corral.home().toAbsolutePath().normalize(), daemon.corral.endpoint(), System.getenv());
            } catch (java.io.IOException e) {
                throw new CliFailure(Exit.FAILED, null, e.getMessage());
            }
            List<String> removed = new java.util.ArrayList<>();
            for (ServiceFiles.File file : files) {
                try {
                    if (Files.deleteIfExists(file.target())) {
                        removed.add(file.target().toString());
                    }
                } catch (java.io.IOException e) {
                    throw new CliFailure(Exit.FAILED, null, "cannot remove " + file.target() + ": " + e.getMessage());
                }
            }
            String before = ServiceFiles.stopStep(chosen, files);
            if (daemon.corral.json) {
                System.out.println(Json.writeString(Map.of("manager", chosen.name().toLowerCase(), "removed", removed, "stop", before)));
                return Exit.OK;
            }
            if (removed.isEmpty()) {
                System.out.println("no " + chosen.name().toLowerCase() + " files of corral's in " + ServiceFiles.unitDirectory(chosen, System.getenv()));
            }
            removed.forEach(path -> System.out.println("removed " + path));
            System.out.println("if the service was running, stop it too: " + before);
            return Exit.OK;
        }
    }
}
