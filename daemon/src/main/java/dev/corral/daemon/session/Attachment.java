package dev.corral.daemon.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One client attached to a session. Output is queued on its connection. While every client is
 * behind (its connection above the write high-water mark), the session stops reading the
 * program's output until one catches up, so a fast program runs at the pace of its fastest
 * reader instead of outrunning it; a client that stays behind for {@link #STALL_NANOS} is no
 * longer waited for, and one that falls more than {@code maxQueuedBytes} behind is
 * disconnected, so a stalled client can never hold back the program or the other clients.
 */
public final class Attachment {
    /** Behind for this long without catching up: stalled, not waited for. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long WAIT_STEP_NANOS = TimeUnit.MICROSECONDS.toNanos(250);
    private static final long NOT_BEHIND = Long.MIN_VALUE;

    private final Session session;
    private final Channel channel;
    private final boolean readOnly;
    private final long maxQueuedBytes;
    /** When this client fell behind, or {@link #NOT_BEHIND}; used by the session's reader thread only. */
    private long behindSince = NOT_BEHIND;

    Attachment(Session session, Channel channel, boolean readOnly, long maxQueuedBytes) {
        this.session = session;
        this.channel = channel;
        this.readOnly = readOnly;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    public Session session() {
        return session;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** Queues output; returns false when the client was too far behind and has been dropped. */
    boolean send(ByteBuf frame) {
        ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
        if (queued == null || queued.totalPendingWriteBytes() > maxQueuedBytes) {
            frame.release();
            channel.close();
            return false;
        }
        channel.writeAndFlush(frame, channel.voidPromise());
        return true;
    }

    /** Whether this client keeps up with the output (or is gone); clears its behind mark if so. */
    boolean keepingUp() {
        if (channel.isWritable() || !channel.isActive()) {
            behindSince = NOT_BEHIND;
            return true;
        }
        return false;
    }

    /**
     * Called by the session's reader thread with every client when all of them are behind: waits
     * until one catches up, or until each has been behind for {@link #STALL_NANOS}. Meanwhile the
     * program's writes block in the kernel, as they do on a slow terminal.
     */
    static void awaitOneCatchingUp(List<Attachment> behind) {
        while (!behind.isEmpty()) {
            long now = System.nanoTime();
            boolean worthWaiting = false;
            for (Attachment attachment : behind) {
                if (attachment.keepingUp()) {
                    return;
                }
                if (attachment.behindSince == NOT_BEHIND) {
                    attachment.behindSince = now;
                }
                worthWaiting |= now - attachment.behindSince < STALL_NANOS;
            }
            if (!worthWaiting) {
                return;
            }
            LockSupport.parkNanos(WAIT_STEP_NANOS);
        }
    }

    /** Sends a last message and closes the connection once it is written. */
    void finish(ByteBuf last) {
        channel.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    }

    /** The client asked to detach, or its connection ended. */
    public void detach(String reason) {
        session.detach(this, reason);
    }

    Channel channel() {
        return channel;
    }
}
