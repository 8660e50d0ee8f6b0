package dev.corral.daemon.session;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process on a pty4j PTY: for a PTY session its program, for a tmux session the tmux client
 * the daemon keeps attached. A reader thread hands output to the sink and, once the process and
 * every other holder of the terminal are gone, reports the exit status. Input goes through one
 * writer thread, so a process that stops reading blocks that thread, never an event loop.
 */
final class Pty {
    private static final Logger log = LoggerFactory.getLogger(Pty.class);
    private static final int READ_CHUNK = 16 * 1024;
    /** Writes queued for a process that is not reading; more are refused. */
    private static final int INPUT_QUEUE = 1024;
    /**
     * pty4j 0.13 forks and execs the program before it sets the window size (UnixPtyProcess.execInPty),
     * so a program that reads its size at once could see 0x0. Every program is therefore started
     * through this step, which waits (at most 5 s) until the terminal has a size and then execs the
     * program in its place, same pid. The program and its arguments are positional parameters
     * ({@code "$@"}): the shell never reads them as code.
     */
    static final String HOLD_UNTIL_SIZED = "n=0; while [ \"$(stty size 2>/dev/null)\" = '0 0' ] && [ $n -lt 1000 ]; "
            + "do sleep 0.005; n=$((n+1)); done; exec \"$@\"";

    /** Receives output on the reader thread; the buffer is reused after the call. */
    interface Output {
        void accept(byte[] buffer, int length);
    }

    private final String label;
    private final PtyProcess process;
    private final ThreadPoolExecutor input;

    private Pty(String label, PtyProcess process) {
        this.label = label;
        this.process = process;
        this.input = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(INPUT_QUEUE),
                r -> daemonThread(r, "pty-write-" + label));
    }

    /** Forks the process (blocking: call off the event loop) and starts reading its output. */
    static Pty start(String label, List<String> argv, Map<String, String> environment, Path cwd, int cols, int rows,
            Output output, IntConsumer exited) throws IOException {
        PtyProcess process = new PtyProcessBuilder(heldUntilSized(argv))
                .setEnvironment(environment)
                .setDirectory(cwd.toString())
                .setInitialColumns(cols)
                .setInitialRows(rows)
                .setConsole(false)
                .setUnixOpenTtyToPreserveOutputAfterTermination(true)
                .start();
        Pty pty = new Pty(label, process);
        daemonThread(() -> pty.pump(output, exited), "pty-read-" + label).start();
        return pty;
    }

    /** The argv that runs {@code argv} once the terminal has its size: see {@link #HOLD_UNTIL_SIZED}. */
    static String[] heldUntilSized(List<String> argv) {
        List<String> held = new ArrayList<>(List.of("/bin/sh", "-c", HOLD_UNTIL_SIZED, "corral-start"));
        held.addAll(argv);
        return held.toArray(String[]::new);
    }

    private void pump(Output output, IntConsumer exited) {
        byte[] buffer = new byte[READ_CHUNK];
        try (InputStream stream = process.getInputStream()) {
            for (int n; (n = stream.read(buffer)) >= 0; ) {
                if (n > 0) {
                    output.accept(buffer, n);
                }
            }
        } catch (IOException e) {
            // EIO once the process and every other holder of the terminal are gone: its end.
            log.debug("{} output ended: {}", label, e.toString());
        }
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        input.shutdownNow();
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // The process is gone; nothing waits for this stream.
        }
        exited.accept(code);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Queues bytes for the process. Returns false when its input queue is full (it is not reading). */
    boolean write(byte[] bytes) {
        OutputStream in = process.getOutputStream();
        try {
            input.execute(() -> {
                try {
                    in.write(bytes);
                    in.flush();
                } catch (IOException e) {
                    log.debug("input to {} failed: {}", label, e.toString());
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    void resize(int cols, int rows) {
        if (process.isAlive() && cols > 0 && rows > 0) {
            process.setWinSize(new WinSize(cols, rows));
        }
    }

    /** Columns and rows, or the fallback once the terminal is gone. */
    int[] size(int fallbackCols, int fallbackRows) {
        try {
            WinSize size = process.getWinSize();
            return new int[] {size.getColumns(), size.getRows()};
        } catch (IOException | IllegalStateException e) {
            return new int[] {fallbackCols, fallbackRows};
        }
    }

    private static Thread daemonThread(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
