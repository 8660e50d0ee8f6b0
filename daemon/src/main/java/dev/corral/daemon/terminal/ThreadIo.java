package dev.corral.daemon.terminal;

import com.pty4j.PtyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback where epoll is missing (macOS): a reader thread per terminal hands output to the
 * sink and waits, while the sink asks it to, until {@link #resume}; input goes through one writer
 * thread that exists only while there is input to write, so a process that stops reading blocks
 * that thread, never an event loop.
 */
final class ThreadIo implements Pty.Io {
    private static final Logger log = LoggerFactory.getLogger(ThreadIo.class);

    private final String label;
    private final PtyProcess process;
    private final ThreadPoolExecutor input;
    /** How many times the sink asked to read again; guarded by this. */
    private long resumes;

    private ThreadIo(String label, PtyProcess process) {
        this.label = label;
        this.process = process;
        this.input = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(Pty.INPUT_QUEUE),
                r -> daemonThread(r, "pty-write-" + label));
    }

    static ThreadIo start(String label, PtyProcess process, Pty.Sink sink) {
        ThreadIo io = new ThreadIo(label, process);
        daemonThread(() -> io.pump(sink), "pty-read-" + label).start();
        return io;
    }

    private void pump(Pty.Sink sink) {
        byte[] buffer = new byte[Pty.READ_CHUNK];
        try (InputStream stream = process.getInputStream()) {
            for (int n; (n = stream.read(buffer)) >= 0; ) {
                long before = resumes();
                if (n > 0 && !sink.output(Chunk.copyOf(buffer, 0, n), buffer, n)) {
                    awaitResumeAfter(before);
                }
            }
        } catch (IOException e) {
            log.debug("{} output ended: {}", label, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        input.shutdownNow();
        Pty.closeStreams(process);
        sink.ended(code);
    }

    private synchronized long resumes() {
        return resumes;
    }

    /** Waits for a resume after the one counted before the output (one in between is not missed). */
    private synchronized void awaitResumeAfter(long before) throws InterruptedException {
        while (resumes == before) {
            wait();
        }
    }

    @Override
    public synchronized void resume() {
        resumes++;
        notifyAll();
    }

    @Override
    public boolean write(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        OutputStream in = process.getOutputStream();
        try {
            input.execute(() -> {
                try {
                    in.write(copy);
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

    private static Thread daemonThread(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
