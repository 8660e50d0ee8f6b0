package dev.corral.e2e.support;

import dev.corral.protocol.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private corral world for one test: its own socket and state directory, so tests never meet
 * each other or a user's daemon. Closing it stops whatever daemon serves its socket.
 */
public final class Sandbox implements AutoCloseable {
    public static final Duration COMMAND_DEADLINE = Duration.ofSeconds(60);

    private final Path dir;
    private final Path socket;
    private final Path stateDir;
    private final List<Process> daemons = new ArrayList<>();
    private final Map<String, String> extraEnv = new HashMap<>();
    /** Sandboxes of the running test or class, open or closed during it, for the failure report. */
    private static final java.util.Set<Sandbox> RECENT = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The sessions' screens as they were when the sandbox closed (a timeout closes it before the report). */
    private volatile String screensAtClose;
    private volatile boolean closing;

    public Sandbox(Path dir) throws IOException {
        this.dir = dir;
        this.socket = dir.resolve("run").resolve("corral.sock");
        this.stateDir = dir.resolve("state");
        RECENT.add(this);
    }

    /** The sandboxes of the running test or class. */
    static List<Sandbox> recent() {
        return List.copyOf(RECENT);
    }

    /** Forgets the sandboxes already closed: a new test or class begins. */
    static void forgetClosed() {
        RECENT.removeIf(sandbox -> sandbox.screensAtClose != null);
    }

    /** Its sessions' screens now, or as they were when it closed. */
    String screens() {
        if (closing) {
            // A timed-out test's thread is closing it right now: its capture comes before the stop.
            long end = System.nanoTime() + Duration.ofSeconds(25).toNanos();
            while (screensAtClose == null && System.nanoTime() < end) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
        }
        String saved = screensAtClose;
        return saved != null ? saved : FailureReport.screens(this);
    }

    /** Folders of links made by {@link #pathWithout}, emptied at close. */
    private final List<Path> linkFarms = new ArrayList<>();

    /**
     * A PATH folder with every tool of /usr/bin except {@code tool}: a machine where it is not
     * installed. The links are removed at close (the temporary-directory clean-up warns about each).
     */
    public Path pathWithout(String tool) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("path-without-" + tool));
        try (var tools = Files.list(Path.of("/usr/bin"))) {
            for (Path found : (Iterable<Path>) tools::iterator) {
                if (!found.getFileName().toString().equals(tool)) {
                    Files.createSymbolicLink(bin.resolve(found.getFileName()), found);
                }
            }
        }
        linkFarms.add(bin);
        return bin;
    }

    /** Sets a variable for every command and daemon this sandbox starts from now on. */
    public Sandbox withEnv(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    /** The private tmux server's socket, derived from corral's. */
    public Path tmuxSocket() {
        return socket.resolveSibling("corral.sock.tmux");
    }

    /** Runs the tmux binary against the sandbox's private tmux server. */
    public Run.Result tmux(String... args) {
        List<String> argv = new ArrayList<>(List.of("tmux", "-S", tmuxSocket().toString()));
        argv.addAll(List.of(args));
        return Run.command(Map.of(), COMMAND_DEADLINE, argv);
    }

    /** Kills the daemon that holds the socket with SIGKILL, as a crash would, and waits until it is gone. */
    public void crashDaemon() {
        long pid = lockHolderPid();
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no daemon holds " + socket));
        daemon.destroyForcibly();
        Deadline.await(Duration.ofSeconds(30), () -> "corrald " + pid + " to die", () -> !daemon.isAlive());
    }

    public Path dir() {
        return dir;
    }

    public Path socket() {
        return socket;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path log() {
        return stateDir.resolve("log/corrald.log");
    }

    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("CORRAL_SOCKET", socket.toString());
        env.put("CORRAL_STATE_DIR", stateDir.toString());
        env.putAll(extraEnv);
        return env;
    }

    /** Runs bin/corral with this sandbox's socket, as a user would type it. */
    public Run.Result corral(Object... args) {
        List<String> argv = new ArrayList<>();
        argv.add(Repo.corral().toString());
        for (Object arg : args) {
            argv.add(arg.toString());
        }
        return Run.command(env(), COMMAND_DEADLINE, argv);
    }

    /** The last lines of the daemon's log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return "--- corrald log, last " + lines + " lines:\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "--- no corrald log: " + e;
        }
    }

    /** The daemon's event figures ({@code daemon.status}'s {@code events}: subscribers, last id, …), asked over the socket. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> eventStatus() {
        try (RawPeer peer = RawPeer.connect(socket)) {
            peer.hello();
            Map<String, Object> status = (Map<String, Object>) peer.request("daemon.status", null).get("result");
            return (Map<String, Object>) status.get("events");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs bin/corral like {@link #corral} and asserts that it succeeded. */
    public Run.Result ok(Object... args) {
        Run.Result result = corral(args);
        if (result.exit() != 0) {
            throw new AssertionError("expected exit 0: " + result);
        }
        return result;
    }

    /** {@code corral --json show NAME}: the session object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> show(String name) {
        try {
            return (Map<String, Object>) Json.read(ok("--json", "show", name).out().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("show " + name + " did not print JSON", e);
        }
    }

    /** Waits until {@code corral tail NAME} shows {@code expected}. */
    public void awaitTail(String name, String expected) {
        Deadline.await(COMMAND_DEADLINE, () -> "'" + expected + "' in the tail of " + name + ":\n" + corral("tail", name).out(),
                () -> corral("tail", name).out().contains(expected));
    }

    /** Starts bin/corrald in the foreground (as a service manager would) and waits until it answers. */
    public Process startDaemon(String... extraArgs) throws IOException {
        Process process = launchDaemon(extraArgs);
        Deadline.await(Duration.ofSeconds(60), () -> "corrald to listen on " + socket + "; its output:\n" + output(process),
                () -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("corrald exited with " + process.exitValue() + ":\n" + output(process));
                    }
                    return RawPeer.answers(socket);
                });
        return process;
    }

    /** Starts bin/corrald without waiting; its stdout and stderr go to daemon-N.out in the sandbox. */
    public Process launchDaemon(String... extraArgs) throws IOException {
        List<String> argv = new ArrayList<>(List.of(Repo.corrald().toString(),
                "--socket", socket.toString(), "--state-dir", stateDir.toString()));
        argv.addAll(List.of(extraArgs));
        Path out = dir.resolve("daemon-" + daemons.size() + ".out");
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().putAll(env());
        Process process = builder.start();
        daemons.add(process);
        return process;
    }

    public String output(Process daemon) {
        int index = daemons.indexOf(daemon);
        try {
            return Files.readString(dir.resolve("daemon-" + index + ".out"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** The pid recorded by the daemon that holds this socket, or -1. */
    public long lockHolderPid() {
        Path lock = socket.resolveSibling("corral.sock.lock");
        try {
            String text = Files.readString(lock).trim();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    public boolean socketExists() {
        return Files.exists(socket, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void close() {
        closing = true;
        if (screensAtClose == null) {
            screensAtClose = FailureReport.screens(this);
        }
        for (Process daemon : daemons) {
            stop(daemon.toHandle());
        }
        long holder = lockHolderPid();
        if (holder > 0) {
            ProcessHandle.of(holder).ifPresent(Sandbox::stop);
        }
        if (Files.exists(tmuxSocket(), LinkOption.NOFOLLOW_LINKS)) {
            tmux("kill-server");
        }
        for (Path bin : linkFarms) {
            try (var links = Files.list(bin)) {
                for (Path link : (Iterable<Path>) links::iterator) {
                    Files.deleteIfExists(link);
                }
            } catch (IOException e) {
                // Left for the temporary-directory clean-up.
            }
        }
        linkFarms.clear();
    }

    private static void stop(ProcessHandle process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
