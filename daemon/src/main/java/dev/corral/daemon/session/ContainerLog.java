package dev.corral.daemon.session;

import dev.corral.daemon.process.ExactCommandLine;
import dev.corral.daemon.terminal.Chunk;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's reading of a container's log: {@code docker logs [--follow] [--tail N]}, streamed to
 * a single read-only client the way a session's terminal is, and never registered or listed. It
 * begins once the client is attached (so nothing is lost before), ends with docker's exit status,
 * and stops when the client leaves. docker's output waits while the client is behind, rather than
 * the client being dropped as a slow terminal would be: a log is read whole.
 */
public final class ContainerLog extends Session {
    private static final Logger log = LoggerFactory.getLogger(ContainerLog.class);

    private final List<String> argv;
    private final Map<String, String> environment;
    private final ExecuteWatchdog watchdog = ExecuteWatchdog.builder()
            .setTimeout(ExecuteWatchdog.INFINITE_TIMEOUT_DURATION).get();
    /** The reader left before docker was started: do not start it. */
    private volatile boolean stopped;

    ContainerLog(SessionSpec spec, String id, Context context, List<String> argv, Map<String, String> environment) {
        super(spec, id, Instant.now(), context);
        this.argv = List.copyOf(argv);
        this.environment = Map.copyOf(environment);
    }

    /** Runs docker on a thread of its own: the fork and the wait must not hold an event loop. */
    public void begin() {
        Thread thread = new Thread(this::run, "container-log-" + name());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        ExactCommandLine line = new ExactCommandLine(argv);
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) {
                // Driven by the client's writability: docker's pipe waits while the client is behind.
                try {
                    fanOut().awaitWritable();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                byte[] bytes = Arrays.copyOfRange(buffer, offset, offset + length);
                output(new Chunk.Copied(bytes), bytes, length);
            }
        };
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(sink, sink));
        executor.setWatchdog(watchdog);
        executor.setExitValues(null);
        markRunning();
        int code;
        try {
            if (stopped) {
                throw new ExecuteException("its reader left before it started", 143);
            }
            code = executor.execute(line, environment);
        } catch (ExecuteException e) {
            code = e.getExitValue();
        } catch (IOException e) {
            byte[] why = ("corrald: cannot run docker logs: " + e.getMessage() + "\r\n").getBytes();
            output(why, why.length);
            code = 125;
        }
        ended(State.EXITED, code, Instant.now());
    }

    @Override
    void lastClientLeft() {
        stop();
    }

    private void stop() {
        stopped = true;
        if (running()) {
            log.debug("stopping {}: its reader left", name());
            watchdog.destroyProcess();
        }
    }

    @Override
    public String kind() {
        return "logs";
    }

    /** A log is read as it was written: no redraw of a screen before it. */
    @Override
    boolean rawStream() {
        return true;
    }

    @Override
    public long pid() {
        return -1;
    }

    @Override
    void signal(String signal) {
        stop();
    }

    @Override
    void daemonStopping() {
        stop();
    }
}
