package dev.corral.daemon.session;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program running in a PTY that the daemon owns. The session owns the process, both PTY
 * streams, the replay buffer and its attachments, and releases them on one path: the reader
 * thread's end, after the program exits.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final int READ_CHUNK = 16 * 1024;
    /** Keystrokes queued for a program that is not reading; more is refused. */
    private static final int INPUT_QUEUE = 1024;

    public enum State { STARTING, RUNNING, EXITED }

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final SessionSpec spec;
    private final Instant createdAt = Instant.now();
    private final ReplayBuffer replay;
    private final long maxQueuedBytes;
    private final List<Attachment> attachments = new ArrayList<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final ThreadPoolExecutor input;
    private PtyProcess process;
    private State state = State.STARTING;
    private Integer exitCode;
    private Instant endedAt;
    private volatile long lastOutputNanos = System.nanoTime();

    Session(SessionSpec spec, int replayBytes, long maxQueuedBytes) {
        this.spec = spec;
        this.replay = new ReplayBuffer(replayBytes);
        this.maxQueuedBytes = maxQueuedBytes;
        // One writer thread, only while there is input: a program that stops reading blocks
        // this thread, never an event loop.
        this.input = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(INPUT_QUEUE),
                r -> daemonThread(r, "pty-write-" + spec.name()));
    }

    public String name() {
        return spec.name();
    }

    public CompletableFuture<Integer> exit() {
        return exit;
    }

    /** Forks the program (blocking: call off the event loop) and starts reading its output. */
    void start(Map<String, String> environment) throws IOException {
        PtyProcess started = new PtyProcessBuilder(spec.command().toArray(String[]::new))
                .setEnvironment(environment)
                .setDirectory(spec.cwd().toString())
                .setInitialColumns(spec.cols())
                .setInitialRows(spec.rows())
                .setConsole(false)
                .setUnixOpenTtyToPreserveOutputAfterTermination(true)
                .start();
        synchronized (this) {
            process = started;
            state = State.RUNNING;
        }
        daemonThread(this::pump, "pty-read-" + spec.name()).start();
    }

    private void pump() {
        byte[] buffer = new byte[READ_CHUNK];
        try (InputStream output = process.getInputStream()) {
            for (int n; (n = output.read(buffer)) >= 0; ) {
                if (n > 0) {
                    publish(buffer, n);
                }
            }
        } catch (IOException e) {
            // EIO once the program and every other holder of the terminal are gone: its end.
            log.debug("session {} output ended: {}", spec.name(), e.toString());
        }
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        ended(code);
    }

    private synchronized void publish(byte[] buffer, int n) {
        lastOutputNanos = System.nanoTime();
        replay.append(buffer, 0, n);
        attachments.removeIf(a -> !a.send(StreamFrames.data(buffer, 0, n)));
    }

    private void ended(int code) {
        List<Attachment> toFinish;
        synchronized (this) {
            state = State.EXITED;
            exitCode = code;
            endedAt = Instant.now();
            toFinish = List.copyOf(attachments);
            attachments.clear();
        }
        for (Attachment attachment : toFinish) {
            attachment.finish(StreamFrames.exit(code));
        }
        input.shutdownNow();
        closeQuietly(process.getOutputStream());
        log.info("session {} exited with status {}", spec.name(), code);
        exit.complete(code);
    }

    /**
     * Adds a client: the replay first (unless skipped), then live output, with nothing lost or
     * repeated at the seam because both happen under the lock the output path takes.
     */
    public synchronized Attachment attach(Channel channel, boolean readOnly, boolean withReplay) {
        Attachment attachment = new Attachment(this, channel, readOnly, maxQueuedBytes);
        if (withReplay) {
            byte[] screen = replay.snapshot();
            for (int offset = 0; offset < screen.length; offset += dev.corral.protocol.Stream.MAX_PAYLOAD) {
                int length = Math.min(dev.corral.protocol.Stream.MAX_PAYLOAD, screen.length - offset);
                attachment.send(StreamFrames.data(screen, offset, length));
            }
        }
        if (state == State.EXITED) {
            attachment.finish(StreamFrames.exit(exitCode));
        } else {
            attachments.add(attachment);
            log.info("client attached to session {}{}", spec.name(), readOnly ? " (read-only)" : "");
        }
        return attachment;
    }

    synchronized void detach(Attachment attachment, String reason) {
        if (attachments.remove(attachment)) {
            log.info("client detached from session {}: {}", spec.name(), reason);
        }
    }

    /** Types into the program. Returns false when its input queue is full (it is not reading). */
    public boolean write(byte[] bytes) {
        OutputStream in;
        synchronized (this) {
            if (state != State.RUNNING) {
                return false;
            }
            in = process.getOutputStream();
        }
        try {
            input.execute(() -> {
                try {
                    in.write(bytes);
                    in.flush();
                } catch (IOException e) {
                    log.debug("input to session {} failed: {}", spec.name(), e.toString());
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    public synchronized void resize(int cols, int rows) {
        if (state == State.RUNNING && cols > 0 && rows > 0) {
            process.setWinSize(new WinSize(cols, rows));
        }
    }

    public synchronized boolean running() {
        return state != State.EXITED;
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public synchronized byte[] tail(int bytes) {
        return replay.snapshot(bytes);
    }

    synchronized Instant endedAt() {
        return endedAt;
    }

    /** What {@code ls} and {@code show} print: the SPEC's session object. */
    public synchronized Map<String, Object> describe(Duration idleAfter) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("name", spec.name());
        object.put("id", id);
        object.put("kind", "pty");
        object.put("state", state.name().toLowerCase());
        object.put("pid", process == null ? null : process.pid());
        object.put("exitCode", exitCode);
        object.put("command", spec.command());
        object.put("cwd", spec.cwd().toString());
        object.put("workspace", null);
        object.put("agent", null);
        object.put("createdAt", createdAt.toString());
        object.put("endedAt", endedAt == null ? null : endedAt.toString());
        object.put("attached", attachments.size());
        object.put("readiness", null);
        object.put("status", status(idleAfter));
        object.put("size", Map.of("cols", process == null ? spec.cols() : winSize().getColumns(),
                "rows", process == null ? spec.rows() : winSize().getRows()));
        return object;
    }

    private WinSize winSize() {
        try {
            return state == State.RUNNING ? process.getWinSize() : new WinSize(spec.cols(), spec.rows());
        } catch (IOException e) {
            return new WinSize(spec.cols(), spec.rows());
        }
    }

    private String status(Duration idleAfter) {
        if (state == State.EXITED) {
            return "exited";
        }
        return System.nanoTime() - lastOutputNanos < idleAfter.toNanos() ? "active" : "idle";
    }

    private static Thread daemonThread(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // The program is gone; nothing is waiting for this stream.
        }
    }
}
