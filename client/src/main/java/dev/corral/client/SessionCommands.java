package dev.corral.client;

import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The session commands that are one request and one answer: spawn, ls, show, kill, rm, wait, send, tail, screen. */
final class SessionCommands {
    private SessionCommands() {}

    /** Shared by every session command: the connection, and printing JSON or text. */
    abstract static class Base implements Callable<Integer> {
        @ParentCommand
        Corral corral;

        Map<String, Object> call(String op, Map<String, ?> args) {
            return corral.request(op, args);
        }

        void print(Object json, String text) {
            System.out.println(corral.json ? Json.writeString(json) : text);
        }
    }

    /** The daemon's banner and warnings (a spawn into a workspace), one line each on stderr. */
    static void printNotices(Object notices) {
        if (!(notices instanceof List<?> list)) {
            return;
        }
        for (Object notice : list) {
            if (notice instanceof Map<?, ?> map) {
                System.err.println("corral: " + ("warning".equals(map.get("level")) ? "warning: " : "") + map.get("text"));
            }
        }
        System.err.flush();
    }

    /** The kinds of session, for completion. */
    static final class Kinds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("pty", "tmux", "container").iterator();
        }
    }

    @Command(name = "spawn", description = "Start a command in a new session and print its name.")
    static final class Spawn extends Base {
        @Option(names = "--name", paramLabel = "NAME", description = "Session name (default: from the command).")
        String name;

        @Option(names = "--kind", paramLabel = "KIND", completionCandidates = Kinds.class, description = "pty (default, or the agent profile's); tmux: a session in corral's own tmux server that outlives the daemon; container: a Docker container running in --workspace.")
        String kind;

        @Option(names = "--image", paramLabel = "IMAGE", description = "Containers: the image (default: corral-agent:latest, made by 'corral image build'). Never pulled.")
        String image;

        @Option(names = "--memory", paramLabel = "SIZE", converter = Values.MemorySize.class, description = "Containers: memory limit such as 4g or 512m (default: host RAM less 2 GiB, at least 4 GiB).")
        String memory;

        @Option(names = "--issue", paramLabel = "N", description = "Containers: the issue worked on, recorded in the container's labels.")
        Integer issue;

        @Option(names = "--agent", paramLabel = "PROFILE", completionCandidates = CompletionCommand.ProfileNames.class,
                description = "Start an agent from its profile ('corral profile ls'); CMD, if given, adds arguments.")
        String agent;

        @Option(names = "--prompt-file", paramLabel = "FILE", description = "The agent's prompt, handed over as a file.")
        Path promptFile;

        @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory (default: the current one); "
                + "with --workspace, a directory inside the workspace, relative to it (default: the workspace).")
        Path cwd;

        @Option(names = "--workspace", paramLabel = "DIR", description = "Run in this workspace (created when missing): "
                + "one lease per workspace keeps other sessions out, and a summary of what changed is kept in DIR/.corral. "
                + "A container mounts it as its working directory.")
        Path workspace;

        @Option(names = "--force", description = "Spawn even into a workspace leased by a live session; this session "
                + "then shares it without a lease.")
        boolean force;

        @Option(names = "--env", paramLabel = "K=V", description = "Extra environment variable (repeatable).")
        List<String> env = new ArrayList<>();

        @Option(names = "--size", paramLabel = "COLSxROWS", defaultValue = "80x24", converter = Values.TerminalSizeConverter.class,
                description = "Terminal size, columns and rows each 1 to 1000 (default: ${DEFAULT-VALUE}).")
        Values.TerminalSize size;

        @Parameters(paramLabel = "CMD", description = "Command and arguments, after -- (default: $SHELL; for a container, its image's command).")
        List<String> command = new ArrayList<>();

        @Override
        public Integer call() {
            boolean container = "container".equals(kind);
            if (kind != null && !"pty".equals(kind) && !"tmux".equals(kind) && !container) {
                throw new CliFailure(Exit.USAGE, null, "--kind " + kind + " is not supported; use --kind pty, tmux or container");
            }
            // With --agent, a profile of kind = "container" is a container session: the daemon decides.
            if (!container && agent == null && (image != null || memory != null || issue != null)) {
                throw new CliFailure(Exit.USAGE, null, "--image, --memory and --issue go with --kind container");
            }
            if (container && workspace == null) {
                throw new CliFailure(Exit.USAGE, null, "--kind container needs --workspace DIR (mounted as the container's working directory)");
            }
            if (workspace == null && cwd != null && !java.nio.file.Files.isDirectory(cwd)) {
                throw new CliFailure(Exit.USAGE, null, "--cwd " + cwd + (java.nio.file.Files.exists(cwd) ? " is not a directory"
                        : " does not exist") + "; give the directory the command should start in");
            }
            Map<String, String> environment = new LinkedHashMap<>();
            for (String pair : env) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new CliFailure(Exit.USAGE, null, "--env takes K=V, got '" + pair + "'");
                }
                environment.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            if (promptFile != null && agent == null) {
                throw new CliFailure(Exit.USAGE, null, "--prompt-file needs --agent PROFILE");
            }
            List<String> argv = !command.isEmpty() || container || agent != null ? command
                    : List.of(System.getenv().getOrDefault("SHELL", "/bin/sh"));
            Map<String, Object> args = new LinkedHashMap<>();
            if (name != null) {
                args.put("name", name);
            }
            args.put("command", argv);
            if (workspace != null) {
                args.put("workspace", workspace.toAbsolutePath().normalize().toString());
                if (cwd != null) {
                    // As typed: the daemon checks it against the workspace.
                    args.put("cwd", cwd.toString());
                }
                args.put("force", force);
            } else {
                args.put("cwd", (cwd == null ? Path.of("") : cwd).toAbsolutePath().normalize().toString());
            }
            if (container || agent != null) {
                if (image != null) {
                    args.put("image", image);
                }
                if (memory != null) {
                    args.put("memory", memory);
                }
                if (issue != null) {
                    args.put("issue", issue);
                }
            }
            args.put("env", environment);
            if (kind != null) {
                args.put("kind", kind);
            }
            if (agent != null) {
                args.put("agent", agent);
            }
            if (promptFile != null) {
                args.put("promptFile", promptFile.toAbsolutePath().normalize().toString());
            }
            args.put("cols", size.cols());
            args.put("rows", size.rows());
            Map<String, Object> session = call(Op.SPAWN, args);
            if (session.get("warnings") instanceof List<?> warnings) {
                warnings.forEach(warning -> System.err.println("corral: warning: " + warning));
            }
            printNotices(session.get("notices"));
            print(session, String.valueOf(session.get("name")));
            return Exit.OK;
        }
    }

    @Command(name = "ls", description = "List sessions.")
    static final class ListSessions extends Base {
        @Option(names = "--all", description = "Include exited sessions that are not reaped yet.")
        boolean all;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            List<Map<String, Object>> sessions = new ArrayList<>(
                    (List<Map<String, Object>>) call(Op.LIST, Map.of("all", all)).get("sessions"));
            // Oldest first, the same after a restart: by creation time (ISO-8601 sorts as text), then name.
            sessions.sort(java.util.Comparator.comparing((Map<String, Object> s) -> String.valueOf(s.get("createdAt")))
                    .thenComparing(s -> String.valueOf(s.get("name"))));
            if (corral.json) {
                System.out.println(Json.writeString(sessions));
                return Exit.OK;
            }
            StringBuilder table = new StringBuilder(row("NAME", "KIND", "STATE", "PID", "EXIT", "STATUS", "ATTACHED", "COMMAND"));
            for (Map<String, Object> s : sessions) {
                table.append(row(s.get("name"), s.get("kind"), s.get("state"), s.get("pid") == null ? "-" : s.get("pid"),
                        s.get("exitCode") == null ? "-" : s.get("exitCode"),
                        s.get("status"), s.get("attached"), String.join(" ", (List<String>) s.get("command"))));
            }
            System.out.print(table);
            return Exit.OK;
        }

        private static String row(Object name, Object kind, Object state, Object pid, Object exit, Object status, Object attached,
                Object command) {
            return pad(name, 16) + pad(kind, 10) + pad(state, 9) + pad(pid, 8) + pad(exit, 6) + pad(status, 8) + pad(attached, 9) + command + "\n";
        }

        /** A table column: the value, then spaces up to the width (at least one). */
        static String pad(Object value, int width) {
            String text = String.valueOf(value);
            return text.length() >= width ? text + " " : text + " ".repeat(width - text.length());
        }
    }

    @Command(name = "show", description = "Show one session.")
    static final class Show extends Base {
        @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
        String name;

        @Override
        public Integer call() {
            Map<String, Object> session = call(Op.SHOW, Map.of("name", name));
            if (corral.json) {
                print(session, null);
                return Exit.OK;
            }
            StringBuilder text = new StringBuilder();
            session.forEach((key, value) -> text.append(key).append(": ").append(readable(key, value)).append('\n'));
            System.out.print(text);
            return Exit.OK;
        }
    }

    /** One value of {@code show} as a person reads it: "-" for none, sizes as COLSxROWS, lists as words. */
    static String readable(String key, Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Map<?, ?> map) {
            if ("size".equals(key) && map.containsKey("cols") && map.containsKey("rows")) {
                return map.get("cols") + "x" + map.get("rows");
            }
            StringBuilder pairs = new StringBuilder();
            map.forEach((k, v) -> pairs.append(pairs.isEmpty() ? "" : ", ").append(k).append('=').append(readable(String.valueOf(k), v)));
            return pairs.isEmpty() ? "-" : pairs.toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder words = new StringBuilder();
            for (Object item : list) {
                String word = String.valueOf(item);
                words.append(words.isEmpty() ? "" : " ").append(word.isEmpty() || word.matches(".*[\\s'\"].*")
                        ? "'" + word.replace("'", "'\\''") + "'" : word);
            }
            return words.isEmpty() ? "-" : words.toString();
        }
        return String.valueOf(value);
    }

    /**
     * What {@code attach} and {@code wait} both say, with {@link Exit#CORRAL_FAILED}, about a
     * session that was lost: its program ended while no daemon watched it, so it has no status.
     */
    static CliFailure lost(String name) {
        return new CliFailure(Exit.CORRAL_FAILED, "LOST", "session " + name + " was lost: its program ended while no daemon"
                + " watched it, so its exit status is unknown");
    }

    @Command(name = "kill", description = "Send a signal to a session's program (default TERM).")
    static final class Kill extends Base {
        @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
        String name;

        @Option(names = "--signal", paramLabel = "SIG", defaultValue = "TERM", description = "Signal name or number (default: ${DEFAULT-VALUE}).")
        String signal;

        @Override
        public Integer call() {
            Map<String, Object> result = call(Op.KILL, Map.of("name", name, "signal", signal));
            print(result, "sent " + signal + " to " + name);
            return Exit.OK;
        }
    }

    @Command(name = "rm", description = "Remove an exited session (--force: kill a running one first).")
    static final class Remove extends Base {
        @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
        String name;

        @Option(names = "--force", description = "Kill the session if it is still running.")
        boolean force;

        @Override
        public Integer call() {
            Map<String, Object> result = call(Op.REMOVE, Map.of("name", name, "force", force));
            if (result.get("warnings") instanceof List<?> warnings) {
                warnings.forEach(warning -> System.err.println("corral: warning: " + warning));
            }
            print(result, "removed " + name);
            return Exit.OK;
        }
    }

    @Command(name = "wait", description = "Wait for a session to exit; exits with its status (124 on timeout).")
    static final class Wait extends Base {
        @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
        String name;

        @Option(names = "--timeout", paramLabel = "SECONDS", converter = Values.NonNegative.class,
                description = "Give up after this long (exit 124); 0: do not wait, only look.")
        Integer timeout;

        @Override
        public Integer call() {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("name", name);
            if (timeout != null) {
                args.put("timeoutSeconds", timeout);
            }
            Map<String, Object> result;
            try {
                if (timeout != null && timeout == 0) {
                    // The daemon takes 0 as "no limit"; here it means what the help says: look once, do not wait.
                    args.remove("timeoutSeconds");
                    Map<String, Object> session = call(Op.SHOW, Map.of("name", name));
                    if ("running".equals(session.get("state")) || "starting".equals(session.get("state"))) {
                        print(Map.of("name", name, "timedOut", true), "timed out after 0 s waiting for " + name);
                        return Exit.TIMED_OUT;
                    }
                }
                result = call(Op.WAIT, args);
            } catch (CliFailure failure) {
                // No such session keeps its own status (3), as for every session command; anything else is corral failing.
                throw failure.exitStatus() == Exit.NO_SUCH_SESSION ? failure : new CliFailure(Exit.CORRAL_FAILED, null, failure.describe());
            }
            if (Boolean.TRUE.equals(result.get("timedOut"))) {
                print(result, "timed out after " + timeout + " s waiting for " + name);
                return Exit.TIMED_OUT;
            }
            if (!(result.get("exitCode") instanceof Number exitCode) || exitCode.intValue() < 0) {
                throw lost(name);
            }
            int code = exitCode.intValue();
            print(result, name + " exited with status " + code);
            return code;
        }
    }

    @Command(name = "send", description = "Type text into a session without attaching (Enter follows unless --no-enter).")
    static final class Send extends Base {
        @Parameters(index = "0", paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
        String name;

        @Parameters(index = "1..*", paramLabel = "TEXT", description = "Words, joined by spaces.")
        List<String> text = new ArrayList<>();

        @Option(names = "--no-enter", description = "Do not press Enter after the text.")
        boolean noEnter;

        @Override
        public Integer call() {
            Map<String, Object> result = call(Op.SEND, Map.of("name", name, "text", String.join(" ", text), "enter", !noEnter));
            if (corral.json) {
                System.out.println(Json.writeString(result));
            }
            return Exit.OK;
        }
    }

    @Command(name = "tail", description = "Print a session's recent output without attaching.")
    static final class Tail extends Base {
        @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
        String name;

        @Option(names = "--bytes", paramLabel = "N", converter = Values.NonNegative.class, description = "At most this many of the newest bytes (default: the whole replay buffer).")
        Integer bytes;

        @Override
        public Integer call() {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("name", name);
            if (bytes != null) {
                args.put("bytes", bytes);
            }
            Map<String, Object> result = call(Op.TAIL, args);
            if (corral.json) {
                System.out.println(Json.writeString(result));
            } else {
                System.out.print(result.get("output"));
                System.out.flush();
            }
            return Exit.OK;
        }
    }

    @Command(name = "screen", description = "Print what a session's terminal shows now (like tmux capture-pane -p).")
    static final class Screen extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--ansi", description = "With colours and attributes as escape sequences.")
        boolean ansi;

        @Override
        public Integer call() {
            Map<String, Object> result = call(Op.SCREEN, Map.of("name", name, "ansi", ansi));
            if (corral.json) {
                System.out.println(Json.writeString(result));
                return Exit.OK;
            }
            Object rows = result.get(ansi ? "ansi" : "lines");
            StringBuilder out = new StringBuilder();
            if (rows instanceof List<?> list) {
                for (Object row : list) {
                    out.append(row).append('\n');
                }
            }
            System.out.print(out);
            System.out.flush();
            return Exit.OK;
        }
    }
}
