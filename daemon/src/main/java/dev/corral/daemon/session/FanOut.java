package dev.corral.daemon.session;

import dev.corral.daemon.screen.Screen;
import dev.corral.daemon.terminal.Chunk;
import dev.corral.protocol.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where a session's output goes: the replay buffer, the screen model and every attached client,
 * all under this object's lock, so an attach (a redraw from the screen, then live output) has no
 * seam. It also paces the program: while every client is behind, {@link #output} answers "stop
 * reading" and the terminal stops until one catches up ({@link #clientWritable}, from the client's
 * connection) — tmux's "do not read", with no thread waiting. A client behind for
 * {@link #STALL_NANOS} is no longer waited for (a timer says so); it is dropped at its bound.
 */
final class FanOut {
    /** Behind for this long without catching up: stalled, not waited for. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ReplayBuffer replay;
    private final Screen screen;
    private final ScheduledExecutorService timers;
    private final List<Attachment> attachments = new ArrayList<>();
    /** Reads the terminal again; set by the session. */
    private volatile Runnable resume = () -> { };
    private boolean paused;
    private boolean closed;
    private ScheduledFuture<?> stallCheck;

    FanOut(ReplayBuffer replay, Screen screen, ScheduledExecutorService timers) {
        this.replay = replay;
        this.screen = screen;
        this.timers = timers;
    }

    void onResume(Runnable resume) {
        this.resume = resume;
    }

    /** Output for replay, screen and clients; false when every client is behind (stop reading until resumed). */
    synchronized boolean output(Chunk chunk, byte[] bytes, int length) {
        replay.append(bytes, 0, length);
        screen.feed(bytes, 0, length);
        if (attachments.isEmpty()) {
            return true;
        }
        attachments.removeIf(a -> !a.send(chunk));
        if (worthWaiting(System.nanoTime())) {
            paused = true;
            armStallCheck();
            return false;
        }
        return true;
    }

    /** For a reader thread (tmux's output): waits while paused, at most until the stall check resumes it. */
    synchronized void awaitResume() throws InterruptedException {
        while (paused && !closed) {
            wait();
        }
    }

    /** For a reader that never drops its client (a container's log): waits until every client is writable. */
    synchronized void awaitWritable() throws InterruptedException {
        while (!closed && !attachments.stream().allMatch(a -> a.client().writable())) {
            wait();
        }
    }

    /**
     * True when no client keeps up and at least one of them has been behind for less than
     * {@link #STALL_NANOS}: worth waiting for. Marks when each client fell behind.
     */
    private boolean worthWaiting(long now) {
        boolean waitFor = false;
        for (Attachment attachment : attachments) {
            if (attachment.client().writable() || !attachment.client().open()) {
                attachment.behindSince = Attachment.NOT_BEHIND;
                return false;
            }
            if (attachment.behindSince == Attachment.NOT_BEHIND) {
                attachment.behindSince = now;
            }
            waitFor |= now - attachment.behindSince < STALL_NANOS;
        }
        return waitFor;
    }

    private void armStallCheck() {
        if (stallCheck != null) {
            return;
        }
        long now = System.nanoTime();
        long first = Long.MAX_VALUE;
        for (Attachment attachment : attachments) {
            if (attachment.behindSince != Attachment.NOT_BEHIND) {
                first = Math.min(first, attachment.behindSince + STALL_NANOS - now);
            }
        }
        try {
            stallCheck = timers.schedule(this::stallCheck, Math.max(0, first == Long.MAX_VALUE ? STALL_NANOS : first),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            resumeNow(); // the daemon is stopping: do not hold the program
        }
    }

    private synchronized void stallCheck() {
        stallCheck = null;
        if (!paused) {
            return;
        }
        if (worthWaiting(System.nanoTime())) {
            armStallCheck();
        } else {
            resumeNow();
        }
    }

    private void resumeNow() {
        if (stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
        notifyAll();
        if (paused) {
            paused = false;
            resume.run();
        }
    }

    synchronized void clientWritable(Attachment attachment) {
        attachment.behindSince = Attachment.NOT_BEHIND;
        resumeNow();
    }

    /** What a client gets before live output: the screen (with scrollback), only its modes, or nothing (a raw log). */
    enum Redraw { SCREEN, MODES, NONE }

    /**
     * Sends a client its redraw, made from the screen model under the lock the output path takes
     * (so nothing is lost or repeated at the seam), then adds it; false (and the client not added)
     * once the session has ended.
     */
    synchronized boolean attach(Attachment attachment, Redraw kind, int scrollbackLines) {
        byte[] redraw = switch (kind) {
            case SCREEN -> screen.redraw(scrollbackLines);
            case MODES -> screen.modesOnly();
            case NONE -> new byte[0];
        };
        for (int offset = 0; offset < redraw.length; offset += Stream.MAX_PAYLOAD) {
            attachment.send(Chunk.copyOf(redraw, offset, Math.min(Stream.MAX_PAYLOAD, redraw.length - offset)));
        }
        if (closed) {
            return false;
        }
        attachments.add(attachment);
        if (paused) {
            resumeNow(); // a new client keeps up until it shows otherwise
        }
        return true;
    }

    /** Removes a client; returns whether it was attached and whether it was the last. */
    synchronized boolean[] detach(Attachment attachment) {
        boolean was = attachments.remove(attachment);
        if (paused && !worthWaiting(System.nanoTime())) {
            resumeNow();
        }
        notifyAll();
        return new boolean[] {was, attachments.isEmpty()};
    }

    synchronized int attached() {
        return attachments.size();
    }

    /** The session ended: no more clients; returns those attached, to be told the status. */
    synchronized List<Attachment> close() {
        closed = true;
        List<Attachment> all = List.copyOf(attachments);
        attachments.clear();
        resumeNow();
        return all;
    }

    synchronized byte[] replay(int limit) {
        return replay.snapshot(limit);
    }

    synchronized long written() {
        return replay.written();
    }

    synchronized void restore(byte[] kept) {
        replay.append(kept, 0, kept.length);
    }
}
