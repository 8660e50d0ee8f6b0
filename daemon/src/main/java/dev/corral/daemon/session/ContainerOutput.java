package dev.corral.daemon.session;

import dev.corral.daemon.container.ContainerEngine;
import dev.corral.daemon.container.EngineException;
import dev.corral.daemon.terminal.Chunk;
import dev.corral.daemon.terminal.Pty;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjIntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container session's output as the engine logged it: one {@code docker logs --follow} client
 * whose stdout feeds the session on a thread of its own (waiting there while every client of the
 * session is behind). The engine's log is one ordered record of the container's terminal, and
 * {@code --follow} turns from what is recorded to what comes next without a gap or an overlap
 * (docker reads its log file on from where the replay ended), so what the container wrote while no
 * daemon watched and what it writes after reaches the session exactly once; a {@code docker attach}
 * started separately could not say where its bytes begin. The price: docker logs a line once it
 * ends (or 16 KiB of it), so a prompt without a newline shows when its line is finished.
 *
 * <p>Owns its docker process: {@link #stop} ends it; its end, after the last byte was delivered, is
 * reported once to {@code ended}.
 */
final class ContainerOutput {
    private static final Logger log = LoggerFactory.getLogger(ContainerOutput.class);
    private static final int READ_BYTES = 16 * 1024;
    private static final int ERROR_BYTES = 4096;

    private final Process process;
    private volatile Instant endedAt;

    private ContainerOutput(Process process) {
        this.process = process;
    }

    /**
     * Starts {@code docker logs --follow ARGS CONTAINER} (blocking: call off the event loop) and
     * streams its stdout to {@code output}; {@code ended} runs on the reader thread once docker has
     * exited and everything it printed was delivered.
     */
    static ContainerOutput follow(ContainerEngine engine, String container, List<String> args, String label,
            ObjIntConsumer<byte[]> output, Runnable ended) throws EngineException, IOException {
        List<String> call = new ArrayList<>(List.of("logs", "--follow"));
        call.addAll(args);
        call.add(container);
        ProcessBuilder builder = new ProcessBuilder(engine.argv(call)).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().clear();
        builder.environment().putAll(engine.environment());
        ContainerOutput followed = new ContainerOutput(builder.start());
        Thread reader = new Thread(() -> followed.pump(label, output, ended), "container-output-" + label);
        reader.setDaemon(true);
        reader.start();
        return followed;
    }

    private void pump(String label, ObjIntConsumer<byte[]> output, Runnable ended) {
        try (InputStream out = process.getInputStream(); InputStream err = process.getErrorStream()) {
            byte[] buffer = new byte[READ_BYTES];
            for (int n; (n = out.read(buffer)) >= 0; ) {
                if (n > 0) {
                    output.accept(buffer, n);
                }
            }
            int code = process.waitFor();
            // docker prints only its own complaints there: a TTY's output is all on stdout.
            String why = new String(err.readNBytes(ERROR_BYTES), StandardCharsets.UTF_8).strip();
            if (code != 0 && !why.isEmpty()) {
                log.warn("docker logs for {} exited {}: {}", label, code, why);
            }
        } catch (IOException e) {
            log.debug("reading docker logs for {}: {}", label, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            endedAt = Instant.now();
            ended.run();
        }
    }

    /** A sink for the attach client of a followed session: its copy of what the log carries is dropped; its end counts. */
    static Pty.Sink inputOnly(Pty.Sink sink) {
        return new Pty.Sink() {
            @Override
            public boolean output(Chunk chunk, byte[] bytes, int length) {
                return true;
            }

            @Override
            public void ended(int exitCode) {
                sink.ended(exitCode);
            }
        };
    }

    /** True until docker has exited and its output was delivered. */
    boolean alive() {
        return endedAt == null;
    }

    /** When the stream ended (null while it runs): where a new one may pick up with {@code --since}. */
    Instant endedAt() {
        return endedAt;
    }

    void stop() {
        process.destroy();
    }
}
