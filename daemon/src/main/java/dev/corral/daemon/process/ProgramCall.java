package dev.corral.daemon.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * One run of an external program (tmux, docker, git) through commons-exec: an argv that no shell
 * sees and that reaches the program exactly ({@link ExactCommandLine}), a timeout after which the
 * program is killed, and its output kept. Blocking: call it off the event loops.
 */
public final class ProgramCall {
    /** How a run ended: its status and output, or killed at the timeout. */
    public record Outcome(int code, String out, String err, boolean timedOut) {}

    private ProgramCall() {}

    /** Runs {@code argv} (the program first) with exactly {@code environment}; IOException when it could not run at all. */
    public static Outcome run(List<String> argv, Map<String, String> environment, Duration timeout) throws IOException {
        ExactCommandLine line = new ExactCommandLine(argv);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(out, err));
        executor.setWatchdog(watchdog);
        executor.setExitValues(null);
        int code = executor.execute(line, environment);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                watchdog.killedProcess());
    }
}
