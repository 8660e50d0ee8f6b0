package dev.corral.daemon.session;

import dev.corral.daemon.process.ProgramCall;
import dev.corral.daemon.process.ProgramPath;
import dev.corral.daemon.state.AtomicFiles;
import dev.corral.daemon.state.OwnedFiles;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tmux server corral owns, driven only through the tmux binary: every call is an argv (no
 * shell sees user text) on a private socket derived from corral's own, so the user's default
 * tmux server is never touched.
 */
final class Tmux {
    private static final Logger log = LoggerFactory.getLogger(Tmux.class);
    /** A tmux call that takes longer than this leaves the state unknown. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final String PANE_FORMAT = "#{session_name}\t#{pane_pid}\t#{pane_dead}\t#{pane_dead_status}\t#{pane_dead_signal}"
            + "\t#{window_width}\t#{window_height}";
    /** With the marker: a session of corral's own carries its record in this user option. */
    private static final String LIST_FORMAT = PANE_FORMAT + "\t#{@corral}";
    static final String MARKER = "@corral";
    /** The pane's state as the control client's subscription reports it: dead/status/signal. */
    static final String SUBSCRIPTION_NAME = "corral-pane";
    private static final String SUBSCRIPTION = SUBSCRIPTION_NAME + ":%*:#{pane_dead}/#{pane_dead_status}/#{pane_dead_signal}";
    /** Separates the commands of one tmux command line given as argv. */
    private static final String SEPARATOR = new String(";"); // compared by identity: a user's ";" is escaped

    /** A pane as tmux reports it; {@code marker} is corral's record of the session, empty when it has none. */
    record Pane(String session, long pid, boolean dead, Integer exitCode, int cols, int rows, String marker) {}

    /** The server could not answer (failed or timed out): liveness is unknown, not dead. */
    static final class Unanswered extends IOException {
        Unanswered(String message) {
            super(message);
        }
    }

    private final Path socket;
    private final Path config;
    private final Map<String, String> environment;

    Tmux(Path socket, Path config, Map<String, String> daemonEnvironment) {
        this.socket = socket;
        this.config = config;
        Map<String, String> env = new HashMap<>(daemonEnvironment);
        // Inside a user's tmux the client would refuse to nest; corral's server is not that one.
        env.remove("TMUX");
        env.remove("TMUX_PANE");
        this.environment = Map.copyOf(env);
    }

    Path socket() {
        return socket;
    }

    Map<String, String> environment() {
        return environment;
    }

    /** The tmux binary on the daemon's PATH, or a refusal that says how to get it. */
    String binary() throws Refusal {
        Optional<Path> found = ProgramPath.find("tmux", environment.getOrDefault("PATH", ""), null);
        if (found.isPresent()) {
            return found.get().toString();
        }
        throw new Refusal(ErrorCode.MISSING_DEPENDENCY, "tmux is not installed: no 'tmux' on the daemon's PATH ("
                + environment.getOrDefault("PATH", "") + "); install it (Debian/Ubuntu: apt-get install tmux, "
                + "macOS: brew install tmux), then restart the daemon or spawn with --kind pty");
    }

    /** Session names tmux would change (it turns '.' and ':' into '_'): refused for tmux sessions. */
    static void checkName(String name) throws Refusal {
        if (name.indexOf('.') >= 0 || name.indexOf(':') >= 0) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "session name '" + name + "' cannot name a tmux session: tmux "
                    + "would rename it '" + name.replace('.', '_').replace(':', '_') + "'; use letters, digits, '_' or '-'");
        }
    }

    /**
     * Starts the program in a new session of corral's server, created by the daemon's control
     * client, which is so attached from the program's first byte on. The same command list marks
     * the session as corral's ({@code @corral}: its record) and subscribes to its pane's state.
     * The program is run through {@code env} (with the session's variables), so tmux never hands
     * it to a shell.
     */
    TmuxControl newSession(SessionSpec spec, Map<String, String> env, String marker, String pipe,
            TmuxControl.Listener listener) throws IOException, Refusal {
        writeConfig();
        // Makes sure the server runs with this configuration (a running one reads it again).
        require(run(List.of("-f", config.toString(), "start-server", SEPARATOR, "source-file", config.toString())),
                "start its server");
        List<String> args = new ArrayList<>(List.of("-f", config.toString(), "-C",
                "new-session", "-P", "-F", PANE_FORMAT, "-s", spec.name(),
                "-x", Integer.toString(spec.cols()), "-y", Integer.toString(spec.rows()), "-c", spec.cwd().toString()));
        // The session's variables are given to env(1), never to tmux: tmux's own environment (and
        // whatever it runs) stays the daemon's, and no PATH of tmux's replaces the session's.
        args.add("--");
        args.add("/usr/bin/env");
        args.add("--");
        env.forEach((key, value) -> args.add(key + "=" + value));
        args.addAll(spec.command());
        String target = "=" + spec.name() + ":";
        // In the same command list, before tmux reads a byte of the pane: the daemon's client asks
        // for no %output (see TmuxOutput), and the pane's bytes go to the daemon through pipe-pane.
        args.addAll(List.of(SEPARATOR, "refresh-client", "-f", "no-output"));
        args.addAll(List.of(SEPARATOR, "pipe-pane", "-O", "-t", target, pipe));
        args.addAll(List.of(SEPARATOR, "set-option", "-t", target, MARKER, marker));
        args.addAll(List.of(SEPARATOR, "refresh-client", "-B", SUBSCRIPTION));
        return TmuxControl.start("tmux-" + spec.name(), argv(args), environment, Path.of("/"), listener);
    }

    /** A control client attached to an existing session, subscribed to its pane's state, its output piped to the daemon. */
    TmuxControl attach(String name, String pipe, TmuxControl.Listener listener) throws IOException, Refusal {
        return TmuxControl.start("tmux-" + name, argv(List.of("-C", "attach-session", "-f", "no-output", "-t", "=" + name,
                SEPARATOR, "pipe-pane", "-O", "-t", "=" + name + ":", pipe,
                SEPARATOR, "refresh-client", "-B", SUBSCRIPTION)), environment, Path.of("/"), listener);
    }

    /** Where the FIFO of a session's output lives (see {@link TmuxOutput}). */
    Path fifo(String name, String id) {
        return config.getParent().resolve(name + "-" + id + ".out");
    }

    /** The pane as {@link #PANE_FORMAT} prints it, from the first line of new-session's reply. */
    static Optional<Pane> parseNewSession(String out) {
        return parsePane(firstLine(out));
    }

    /** True when corral's tmux server answers at all. */
    boolean serverRunning() throws Refusal {
        try {
            return run(List.of("list-sessions", "-F", "#{session_name}")).code() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The session's pane, or empty when tmux has no such session (or no server at all). */
    Optional<Pane> pane(String name) throws IOException, Refusal {
        Result result = run(List.of("display-message", "-p", "-t", "=" + name + ":", PANE_FORMAT));
        if (result.code() != 0) {
            if (result.absent()) {
                return Optional.empty();
            }
            throw new Unanswered("tmux display-message failed: " + result.err().strip());
        }
        return parsePane(firstLine(result.out()));
    }

    /** Format output keeps its empty trailing fields: only the line end goes. */
    private static String firstLine(String out) {
        int end = out.indexOf('\n');
        return end < 0 ? out : out.substring(0, end);
    }

    /** Every pane on corral's tmux server; empty when the server is not running. */
    List<Pane> panes() throws IOException, Refusal {
        Result result = run(List.of("list-panes", "-a", "-F", LIST_FORMAT));
        if (result.code() != 0) {
            if (result.absent()) {
                return List.of();
            }
            throw new Unanswered("tmux list-panes failed: " + result.err().strip());
        }
        List<Pane> panes = new ArrayList<>();
        for (String line : result.out().split("\n")) {
            parsePane(line).ifPresent(panes::add);
        }
        return panes;
    }

    /** The pane's screen and scroll-back as text. */
    String capture(String name) throws IOException, Refusal {
        return require(run(List.of("capture-pane", "-p", "-J", "-S", "-2000", "-t", "=" + name + ":")),
                "capture '" + name + "'");
    }

    /** Makes the server start and reap a child (a fixed {@code true}), which reaps any zombie pane too. */
    void reapNudge() {
        try {
            run(List.of("run-shell", "true"));
        } catch (IOException | Refusal e) {
            log.debug("tmux run-shell true failed: {}", e.toString());
        }
    }

    /**
     * Resets the pane's terminal modes before the session goes, in the same command list. tmux
     * 3.3a writes a focus-out report to a pane whose program asked for them (Codex does) when a
     * client leaves, even when that pane is dead and has nothing to write to: the server crashes.
     */
    void killSession(String name) throws IOException, Refusal {
        Result result = run(List.of("send-keys", "-R", "-t", "=" + name + ":", SEPARATOR, "kill-session", "-t", "=" + name));
        if (result.code() != 0 && !result.absent()) {
            throw new Unanswered("tmux kill-session failed: " + result.err().strip());
        }
    }

    /**
     * The pane's visible screen with its colours and the cursor, as bytes that draw it on a
     * cleared terminal: what a client attaching to an adopted session is shown first.
     */
    byte[] screen(String name) throws IOException, Refusal {
        String out = require(run(List.of("capture-pane", "-p", "-e", "-t", "=" + name + ":", SEPARATOR,
                "display-message", "-p", "-t", "=" + name + ":", "#{cursor_x} #{cursor_y}")), "capture '" + name + "'");
        List<String> lines = new ArrayList<>(List.of(out.split("\n", -1)));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        String cursor = lines.isEmpty() ? "0 0" : lines.remove(lines.size() - 1);
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        StringBuilder screen = new StringBuilder("\u001b[0m\u001b[H\u001b[2J");
        screen.append(String.join("\u001b[0m\r\n", lines)).append("\u001b[0m");
        String[] xy = cursor.split(" ");
        if (xy.length == 2 && xy[0].matches("[0-9]+") && xy[1].matches("[0-9]+")) {
            screen.append("\u001b[").append(Integer.parseInt(xy[1]) + 1).append(';').append(Integer.parseInt(xy[0]) + 1).append('H');
        }
        return screen.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void writeConfig() throws IOException {
        String text;
        try (java.io.InputStream resource = Tmux.class.getResourceAsStream("/tmux/tmux.conf")) {
            if (resource == null) {
                throw new IOException("tmux.conf is missing from corrald's jar");
            }
            text = new String(resource.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.createDirectories(config.getParent());
        byte[] wanted = text.getBytes(StandardCharsets.UTF_8);
        if (!java.util.Arrays.equals(written(wanted.length), wanted)) {
            AtomicFiles.write(config, wanted);
        }
    }

    /**
     * The configuration file as it is, compared as bytes: one that is missing, not UTF-8, longer
     * than corral's or a link is simply written afresh (the rename replaces a link, never follows it).
     */
    private byte[] written(int size) {
        try {
            return OwnedFiles.read(config, size);
        } catch (IOException e) {
            return null;
        }
    }

    private record Result(int code, String out, String err) {
        /** tmux's own words for "no such session" and "no server": an answer, not a failure. */
        boolean absent() {
            return err.contains("can't find session") || err.contains("no server running")
                    || err.contains("error connecting to") || err.contains("can't find pane")
                    || err.contains("can't find window");
        }
    }

    private static String require(Result result, String what) throws Unanswered {
        if (result.code() != 0) {
            throw new Unanswered("tmux could not " + what + ": " + result.err().strip());
        }
        return result.out();
    }

    /**
     * The full argv of a tmux call: the daemon's tmux binary on corral's socket, UTF-8 always.
     * tmux reads an argument that ends in ';' as the end of a command, so every argument but the
     * separators has such a ';' escaped ('\\;' is read back as ';').
     */
    private List<String> argv(List<String> args) throws Refusal {
        List<String> argv = new ArrayList<>(List.of(binary(), "-u", "-S", socket.toString()));
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.endsWith(";") && arg != SEPARATOR) {
                arg = arg.substring(0, arg.length() - 1) + "\\;";
            }
            argv.add(arg);
        }
        return argv;
    }

    private Result run(List<String> args) throws IOException, Refusal {
        List<String> argv = argv(args);
        ProgramCall.Outcome outcome;
        try {
            outcome = ProgramCall.run(argv, environment, CALL_TIMEOUT);
        } catch (IOException e) {
            throw new Unanswered("tmux did not run: " + e.getMessage());
        }
        if (outcome.timedOut()) {
            throw new Unanswered("tmux did not answer within " + CALL_TIMEOUT.toSeconds() + " s");
        }
        Result result = new Result(outcome.code(), outcome.out(), outcome.err());
        if (outcome.code() != 0) {
            log.debug("tmux {} exited {}: {}", args.get(0), outcome.code(), result.err().strip());
        }
        return result;
    }

    private static Optional<Pane> parsePane(String line) {
        String[] fields = line.split("\t", -1);
        if (fields.length < 7 || fields[0].isEmpty() || !fields[1].matches("[0-9]+")) {
            return Optional.empty();
        }
        boolean dead = fields[2].equals("1");
        Integer code = null;
        if (dead && fields[3].matches("[0-9]+")) {
            code = Integer.parseInt(fields[3]);
        } else if (dead && fields[4].matches("[0-9]+")) {
            code = 128 + Integer.parseInt(fields[4]);
        }
        int cols = fields[5].matches("[0-9]{1,5}") ? Integer.parseInt(fields[5]) : 80;
        int rows = fields[6].matches("[0-9]{1,5}") ? Integer.parseInt(fields[6]) : 24;
        return Optional.of(new Pane(fields[0], Long.parseLong(fields[1]), dead, code, cols, rows,
                fields.length > 7 ? fields[7] : ""));
    }
}
