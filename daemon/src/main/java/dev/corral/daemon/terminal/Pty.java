package dev.corral.daemon.terminal;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import com.pty4j.unix.UnixPtyProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process on a pty4j PTY: for a PTY session its program, for a tmux or container session the
 * client the daemon keeps attached. The PTY's master is served by {@link EpollIo} on the daemon's
 * PTY event loop where Netty's epoll transport loads (Linux), else by {@link ThreadIo}, a reader
 * thread per terminal; the choice is made once, at start, and logged. Either way output goes to
 * the {@link Sink} as it is read, input is written from the caller's thread without waiting (a
 * bounded queue takes what the program does not read yet), and the sink hears the exit status
 * once the process has ended and what it wrote has been read.
 *
 * <p>Owner: the session that started it. pty4j owns the process and the descriptors; the
 * terminal's I/O closes pty4j's streams (so the descriptors) once it has reported the end.
 */
public final class Pty {
    private static final Logger log = LoggerFactory.getLogger(Pty.class);
    /** Writes queued for a process that is not reading; more are refused. */
    static final int INPUT_QUEUE = 1024;
    static final int READ_CHUNK = 16 * 1024;
    /** {@code -Dcorral.ptyIo=threads} forces the thread-per-terminal fallback (tests, or a suspected epoll fault). */
    private static final boolean EPOLL = EpollIo.usable() && !"threads".equals(System.getProperty("corral.ptyIo"));

    static {
        log.info("PTY I/O: {}", EPOLL ? "epoll, on the PTY event loop (corral-pty)"
                : "a reader thread per terminal (" + EpollIo.whyNot() + ")");
    }

    /**
     * pty4j 0.13 forks and execs the program before it sets the window size (UnixPtyProcess.execInPty),
     * so a program that reads its size at once could see 0x0. Every program is therefore started
     * through this step, which waits (at most 5 s) until the terminal has a size and then execs the
     * program in its place, same pid. The program and its arguments are positional parameters
     * ({@code "$@"}): the shell never reads them as code.
     */
    public static final String HOLD_UNTIL_SIZED = "n=0; while [ \"$(stty size 2>/dev/null)\" = '0 0' ] && [ $n -lt 1000 ]; "
            + "do sleep 0.005; n=$((n+1)); done; exec \"$@\"";

    /** Where a terminal's output and end go; called on the terminal's I/O thread, so it must not block. */
    public interface Sink {
        /**
         * Output: {@code chunk} and {@code bytes[0, length)} are the same bytes, both valid during
         * the call only ({@link Chunk#retain} to keep the chunk). Returns false to stop reading
         * until {@link Pty#resume}; the program's writes then wait in the kernel.
         */
        boolean output(Chunk chunk, byte[] bytes, int length);

        /** The process ended with {@code exitCode} and its output has been read. */
        void ended(int exitCode);
    }

    /** One terminal's master, served by epoll or by a thread. */
    interface Io {
        boolean write(ByteBuffer bytes);

        void resume();
    }

    private final PtyProcess process;
    private final Io io;

    private Pty(PtyProcess process, Io io) {
        this.process = process;
        this.io = io;
    }

    /** Which I/O serves terminals in this daemon: "epoll" or "threads". */
    public static String ioMode() {
        return EPOLL ? "epoll" : "threads";
    }

    /** Forks the process (blocking: call off the event loop) and starts serving its terminal. */
    public static Pty start(String label, List<String> argv, Map<String, String> environment, Path cwd, int cols, int rows,
            Sink sink) throws IOException {
        PtyProcess process = new PtyProcessBuilder(heldUntilSized(argv))
                .setEnvironment(environment)
                .setDirectory(cwd.toString())
                .setInitialColumns(cols)
                .setInitialRows(rows)
                .setConsole(false)
                .setUnixOpenTtyToPreserveOutputAfterTermination(true)
                .start();
        Io io = EPOLL && process instanceof UnixPtyProcess unix ? EpollIo.start(label, unix, sink)
                : ThreadIo.start(label, process, sink);
        return new Pty(process, io);
    }

    /** The argv that runs {@code argv} once the terminal has its size: see {@link #HOLD_UNTIL_SIZED}. */
    static String[] heldUntilSized(List<String> argv) {
        List<String> held = new ArrayList<>(List.of("/bin/sh", "-c", HOLD_UNTIL_SIZED, "corral-start"));
        held.addAll(argv);
        return held.toArray(String[]::new);
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Writes bytes to the process (from the calling thread, never blocking). False when its input queue is full. */
    public boolean write(ByteBuffer bytes) {
        return io.write(bytes);
    }

    public boolean write(byte[] bytes) {
        return io.write(ByteBuffer.wrap(bytes));
    }

    /** Reads again after the sink asked to stop; callable from any thread. */
    public void resume() {
        io.resume();
    }

    public void resize(int cols, int rows) {
        if (process.isAlive() && cols > 0 && rows > 0) {
            process.setWinSize(new WinSize(cols, rows));
        }
    }

    /** Columns and rows, or the fallback once the terminal is gone. */
    public int[] size(int fallbackCols, int fallbackRows) {
        try {
            WinSize size = process.getWinSize();
            return new int[] {size.getColumns(), size.getRows()};
        } catch (IOException | IllegalStateException e) {
            return new int[] {fallbackCols, fallbackRows};
        }
    }

    /** Closes pty4j's streams, and with them the terminal's descriptors. */
    static void closeStreams(PtyProcess process) {
        try {
            process.getOutputStream().close();
            process.getInputStream().close();
        } catch (IOException ignored) {
            // The process is gone; nothing waits for these streams.
        }
    }
}
