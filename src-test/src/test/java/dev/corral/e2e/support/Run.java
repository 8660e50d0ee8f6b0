package dev.corral.e2e.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a deadline and keeps what a user would see. */
public final class Run {
    /** Exit status, stdout and stderr of a finished command. */
    public record Result(List<String> command, int exit, String out, String err) {
        /** Standard output as the JSON object a {@code --json} command prints. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> json() {
            try {
                return (Map<String, Object>) dev.corral.protocol.Json.read(out.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException | ClassCastException e) {
                throw new AssertionError("not a JSON object: " + this, e);
            }
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " → exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Run() {}

    /**
     * Ends every process whose program lies under {@code dir}, until none is left or 30 s pass:
     * what a test leaves behind that outlives its daemon (Codex starts a background app-server of
     * its own from its HOME, and one of its processes restarts the other).
     */
    public static void endProgramsUnder(Path dir) {
        Deadline.await(Duration.ofSeconds(30), () -> "the programs under " + dir + " to end", () -> {
            List<ProcessHandle> left = ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().map(c -> c.startsWith(dir.toString() + "/")).orElse(false)).toList();
            left.forEach(ProcessHandle::destroyForcibly);
            return left.isEmpty();
        });
    }

    public static Result command(Map<String, String> env, Duration deadline, List<String> command) {
        try {
            Path out = Files.createTempFile("corral-run", ".out");
            Path err = Files.createTempFile("corral-run", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + deadline
                            + "\n--- stdout\n" + Files.readString(out) + "--- stderr\n" + Files.readString(err));
                }
                return new Result(command, process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }

    public static List<String> argv(Object first, Object... rest) {
        List<String> argv = new ArrayList<>();
        argv.add(first.toString());
        for (Object arg : rest) {
            argv.add(arg.toString());
        }
        return argv;
    }
}
