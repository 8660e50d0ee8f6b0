package dev.corral.client;

import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code corral lease ls | show DIR | release DIR [--force]}: the workspace leases. */
@Command(name = "lease", description = "Workspace leases: list them, show one, release one.",
        subcommands = {LeaseCommands.ListLeases.class, LeaseCommands.Show.class, LeaseCommands.Release.class})
final class LeaseCommands implements Callable<Integer> {
    @ParentCommand
    Corral corral;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CliFailure(Exit.USAGE, null, "lease needs a subcommand: ls, show DIR or release DIR\n"
                + spec.commandLine().getUsageMessage());
    }

    /** Shared by the lease subcommands: the request and JSON or text output. */
    abstract static class Base implements Callable<Integer> {
        @ParentCommand
        LeaseCommands lease;

        Map<String, Object> call(String op, Map<String, ?> args) {
            return lease.corral.request(op, args);
        }

        boolean json() {
            return lease.corral.json;
        }

        static String absolute(Path dir) {
            return dir.toAbsolutePath().normalize().toString();
        }

        static void cleaned(Object workspace, Object reason) {
            System.err.println("corral: cleaned a stale lease in " + workspace + ": " + reason);
        }
    }

    @Command(name = "ls", description = "List the live leases in the workspaces this daemon knows (stale ones are cleaned).")
    static final class ListLeases extends Base {
        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            Map<String, Object> result = call(Op.LEASE_LIST, Map.of());
            for (Map<String, Object> gone : (List<Map<String, Object>>) result.get("cleaned")) {
                cleaned(gone.get("workspace"), gone.get("reason"));
            }
            List<Map<String, Object>> leases = (List<Map<String, Object>>) result.get("leases");
            if (json()) {
                System.out.println(Json.writeString(leases));
                return Exit.OK;
            }
            if (leases.isEmpty()) {
                System.out.println("no leases");
                return Exit.OK;
            }
            StringBuilder table = new StringBuilder(row("WORKSPACE", "SESSION", "HOLDER", "AGENT", "MODE", "HEARTBEAT"));
            for (Map<String, Object> l : leases) {
                table.append(row(l.get("workspace"), l.get("session") == null ? "(starting)" : l.get("session"),
                        "corrald " + l.get("pid") + "@" + l.get("host"), l.get("agent"), l.get("mode"),
                        l.get("heartbeatAgeSeconds") + "s ago"));
            }
            System.out.print(table);
            return Exit.OK;
        }

        private static String row(Object workspace, Object session, Object holder, Object agent, Object mode, Object beat) {
            return pad(workspace, 32) + pad(session, 16) + pad(holder, 24) + pad(agent, 10) + pad(mode, 6) + beat + "\n";
        }

        private static String pad(Object value, int width) {
            return SessionCommands.ListSessions.pad(value, width);
        }
    }

    @Command(name = "show", description = "Show a workspace's lease and its last session.")
    static final class Show extends Base {
        @Parameters(paramLabel = "DIR")
        Path dir;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            Map<String, Object> result = call(Op.LEASE_SHOW, Map.of("workspace", absolute(dir)));
            if (result.get("cleaned") != null) {
                cleaned(result.get("workspace"), result.get("cleaned"));
            }
            if (json()) {
                System.out.println(Json.writeString(result));
                return Exit.OK;
            }
            StringBuilder text = new StringBuilder(String.format("%-10s %s%n", "workspace", result.get("workspace")));
            if (result.get("lease") instanceof Map<?, ?> map) {
                Map<String, Object> l = (Map<String, Object>) map;
                text.append(String.format("%-10s %s%n", "lease", "session " + (l.get("session") == null ? "(starting)"
                        : l.get("session")) + (l.get("programPid") == null ? "" : ", pid " + l.get("programPid"))));
                text.append(String.format("%-10s %s%n", "holder", "corrald pid " + l.get("pid") + " on " + l.get("host")));
                text.append(String.format("%-10s %s%n", "agent", l.get("agent")));
                text.append(String.format("%-10s %s%n", "mode", l.get("mode")));
                text.append(String.format("%-10s %s%n", "started", l.get("started")));
                text.append(String.format("%-10s %s (%ss ago; TTL %ss)%n", "heartbeat", l.get("heartbeat"),
                        l.get("heartbeatAgeSeconds"), l.get("ttlSeconds")));
            } else {
                text.append(String.format("%-10s %s%n", "lease", "none"));
            }
            text.append(String.format("%-10s %s%n", "last", result.get("lastSessionBanner") == null ? "no session yet"
                    : result.get("lastSessionBanner")));
            System.out.print(text);
            return Exit.OK;
        }
    }

    @Command(name = "release", description = "Remove a workspace's lease: a stale one always, a live one with --force.")
    static final class Release extends Base {
        @Parameters(paramLabel = "DIR")
        Path dir;

        @Option(names = "--force", description = "Release even a live session's lease; that session goes on without one.")
        boolean force;

        @Override
        public Integer call() {
            Map<String, Object> result = call(Op.LEASE_RELEASE, Map.of("workspace", absolute(dir), "force", force));
            if (json()) {
                System.out.println(Json.writeString(result));
            } else if (Boolean.TRUE.equals(result.get("released"))) {
                System.out.println("released the lease of " + result.get("workspace")
                        + (result.get("session") == null ? "" : " (session " + result.get("session") + ")")
                        + ": " + result.get("reason"));
            } else {
                System.out.println(result.get("workspace") + " has no lease");
            }
            return Exit.OK;
        }
    }
}
