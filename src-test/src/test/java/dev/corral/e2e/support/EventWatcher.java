package dev.corral.e2e.support;

import dev.corral.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code bin/corral events} running in the background, as a user would leave it in a terminal:
 * every line it prints is kept (parsed as JSON when it runs with --json), and a test waits for
 * the line it expects with a deadline.
 */
public final class EventWatcher implements AutoCloseable {
    public static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final Path stderr;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private EventWatcher(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::read, "event-watcher-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code bin/corral ARGS...} (for example {@code --json events --channel agents}). */
    public static EventWatcher start(Sandbox sandbox, Object... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(Repo.corral().toString()));
        for (Object arg : args) {
            argv.add(arg.toString());
        }
        Path stderr = Files.createTempFile(sandbox.dir(), "events", ".err");
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(stderr.toFile());
        builder.environment().putAll(sandbox.env());
        return new EventWatcher(builder.start(), stderr);
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // the process is gone; what it printed is kept
        }
    }

    public long pid() {
        return process.pid();
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Every line, parsed: the watcher runs with --json. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> events() {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : lines()) {
            try {
                events.add((Map<String, Object>) Json.read(line.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException | ClassCastException e) {
                throw new AssertionError("corral --json events printed a line that is not a JSON object: " + line, e);
            }
        }
        return events;
    }

    /** Waits for an event that matches and returns it. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> await(String what, Predicate<Map<String, Object>> match) {
        Map<String, Object>[] found = new Map[1];
        Deadline.await(DEADLINE, () -> what + "; corral events printed:\n" + String.join("\n", lines()) + "\n" + stderr(),
                () -> {
                    for (Map<String, Object> event : events()) {
                        if (match.test(event)) {
                            found[0] = event;
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    /** Waits until at least {@code count} events match. */
    public void awaitCount(String what, Predicate<Map<String, Object>> match, long count) {
        Deadline.await(DEADLINE, () -> count + " events: " + what + "; corral events printed:\n" + String.join("\n", lines())
                + "\n" + stderr(), () -> events().stream().filter(match).count() >= count);
    }

    /** Waits for an event of this type about this session. */
    public Map<String, Object> await(String type, String session) {
        return await(type + " of session " + session, e -> type.equals(e.get("type")) && session.equals(data(e).get("session")));
    }

    /** Waits for a printed line that contains the text (the watcher runs without --json). */
    public String awaitLine(String text) {
        String[] found = new String[1];
        Deadline.await(DEADLINE, () -> "a line with '" + text + "'; corral events printed:\n" + String.join("\n", lines()),
                () -> lines().stream().filter(l -> l.contains(text)).peek(l -> found[0] = l).findFirst().isPresent());
        return found[0];
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> data(Map<String, Object> event) {
        return (Map<String, Object>) event.get("data");
    }

    /** Waits for the process to end on its own and returns its exit status. */
    public int awaitExit() {
        try {
            if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("corral events did not end within " + DEADLINE);
            }
            reader.join(DEADLINE.toMillis());
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    /** Interrupts it, as Ctrl-C would. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
