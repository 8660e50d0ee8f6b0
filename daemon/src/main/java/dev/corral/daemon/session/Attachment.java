package dev.corral.daemon.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * One client attached to a session. Output is written to its connection without waiting; a
 * client that falls more than {@code maxQueuedBytes} behind is disconnected, so it can never
 * hold back the program or the other clients.
 */
public final class Attachment {
    private final Session session;
    private final Channel channel;
    private final boolean readOnly;
    private final long maxQueuedBytes;

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
