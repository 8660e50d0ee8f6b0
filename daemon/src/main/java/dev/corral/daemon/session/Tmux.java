package dev.corral.daemon.session;

import dev.corral.daemon.process.ProgramCall;
import dev.corral.daemon.state.AtomicFiles;
import dev.corral.protocol.ErrorCode;
import java.io.File;
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
    private static final String PANE_FORMAT = "#{session_name}\t#{pane_pid}\t#{pane_dead}\t#{pane_dead_status}\t#{pane_dead_signal}";

    /** A pane as tmux reports it. */
    record Pane(String session, long pid, boolean dead, Integer exitCode) {}

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

    /** Where files handed to tmux (long text to paste) are written. */
    Path scratch() {
        return config.getParent();
    }

    Map<String, String> environment() {
        return environment;
    }

    /** The tmux binary on the daemon's PATH, or a refusal that says how to get it. */
    String binary() throws SessionException {
        for (String dir : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "tmux"))) {
                return Path.of(dir, "tmux").toString();
            }
        }
        throw new SessionException(ErrorCode.MISSING_DEPENDENCY, "tmux is not installed: no 'tmux' on the daemon's PATH ("
                + environment.getOrDefault("PATH", "") + "); install it (Debian/Ubuntu: apt-get install tmux, "
                + "macOS: brew install tmux), then restart the daemon or spawn with --kind pty");
    }

    /** The argv of a tmux client attached to the session: the daemon runs it in a PTY it owns. */
    List<String> attachArgv(String name) throws SessionException {
        return List.of(binary(), "-S", socket.toString(), "attach-session", "-t", "=" + name);
    }

    /**
     * Starts the program in a new detached session and answers its pane. A program of one word is
     * run through {@code env} so tmux never hands it to a shell.
     */
    Pane newSession(SessionSpec spec, Map<String, String> env) throws IOException, SessionException {
        writeConfig();
        List<String> args = new ArrayList<>(List.of("-f", config.toString(), "start-server", ";",
                "source-file", config.toString(), ";",
                "new-session", "-d", "-P", "-F", PANE_FORMAT, "-s", spec.name(),
                "-x", Integer.toString(spec.cols()), "-y", Integer.toString(spec.rows()), "-c", spec.cwd().toString()));
        env.forEach((key, value) -> {
            args.add("-e");
            args.add(key + "=" + value);
        });
        args.add("--");
        args.add("/usr/bin/env");
        args.add("--");
        args.addAll(spec.command());
        String out = require(run(args), "start session '" + spec.name() + "'");
        return parsePane(firstLine(out)).orElseThrow(() -> new IOException("tmux answered '" + out.strip() + "' to new-session"));
    }

    /** The session's pane, or empty when tmux has no such session (or no server at all). */
    Optional<Pane> pane(String name) throws IOException, SessionException {
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
    List<Pane> panes() throws IOException, SessionException {
        Result result = run(List.of("list-panes", "-a", "-F", PANE_FORMAT));
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

    /** Types text as it is: {@code send-keys -l} never reads it as key names. */
    void sendLiteral(String name, String text, boolean enter) throws IOException, SessionException {
        if (!text.isEmpty()) {
            require(run(List.of("send-keys", "-t", "=" + name + ":", "-l", "--", text)), "type into '" + name + "'");
        }
        if (enter) {
            require(run(List.of("send-keys", "-t", "=" + name + ":", "Enter")), "press Enter in '" + name + "'");
        }
    }

    /** Long text goes through a file and a paste buffer, never through argv. */
    void paste(String name, Path file) throws IOException, SessionException {
        String buffer = "corral-" + name;
        require(run(List.of("load-buffer", "-b", buffer, file.toString(), ";",
                "paste-buffer", "-d", "-b", buffer, "-t", "=" + name + ":")), "paste into '" + name + "'");
    }

    /** The pane's screen and scroll-back as text. */
    String capture(String name) throws IOException, SessionException {
        return require(run(List.of("capture-pane", "-p", "-J", "-S", "-2000", "-t", "=" + name + ":")),
                "capture '" + name + "'");
    }

    /** Makes the server start and reap a child (a fixed {@code true}), which reaps any zombie pane too. */
    void reapNudge() {
        try {
            run(List.of("run-shell", "true"));
        } catch (IOException | SessionException e) {
            log.debug("tmux run-shell true failed: {}", e.toString());
        }
    }

    void killSession(String name) throws IOException, SessionException {
        Result result = run(List.of("kill-session", "-t", "=" + name));
        if (result.code() != 0 && !result.absent()) {
            throw new Unanswered("tmux kill-session failed: " + result.err().strip());
        }
    }

    private void writeConfig() throws IOException {
        // The hook detaches the daemon's own client when a program ends, so the daemon hears of
        // it without asking; remain-on-exit keeps the pane, and with it the exit status.
        String text = String.join("\n",
                "# Written by corrald for its private tmux server; rewritten at each spawn.",
                "set -g status off",
                "set -g remain-on-exit on",
                "set -g exit-empty off",
                "set -g exit-unattached off",
                "set -g destroy-unattached off",
                "set-hook -g pane-died \"run-shell -b \\\"tmux detach-client -s '=#{session_name}'\\\"\"",
                "");
        Files.createDirectories(config.getParent());
        if (!Files.exists(config) || !Files.readString(config).equals(text)) {
            AtomicFiles.write(config, text.getBytes(StandardCharsets.UTF_8));
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

    private Result run(List<String> args) throws IOException, SessionException {
        List<String> argv = new ArrayList<>(List.of(binary(), "-S", socket.toString()));
        argv.addAll(args);
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
        if (fields.length != 5 || fields[0].isEmpty() || !fields[1].matches("[0-9]+")) {
            return Optional.empty();
        }
        boolean dead = fields[2].equals("1");
        Integer code = null;
        if (dead && fields[3].matches("[0-9]+")) {
            code = Integer.parseInt(fields[3]);
        } else if (dead && fields[4].matches("[0-9]+")) {
            code = 128 + Integer.parseInt(fields[4]);
        }
        return Optional.of(new Pane(fields[0], Long.parseLong(fields[1]), dead, code));
    }
}
