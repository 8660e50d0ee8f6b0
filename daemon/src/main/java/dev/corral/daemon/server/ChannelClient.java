package dev.corral.daemon.server;

import dev.corral.daemon.session.AttachedClient;
import io.netty.channel.Channel;

/** What every attached connection shares, whatever it frames output as: its queue, writability and close. */
public abstract class ChannelClient implements AttachedClient {
    protected final Channel channel;

    protected ChannelClient(Channel channel) {
        this.channel = channel;
    }

    /** What Netty holds for the connection: below the high mark while writable, past the low mark when not. */
    @Override
    public final long queuedBytes() {
        return channel.isWritable() ? channel.config().getWriteBufferHighWaterMark() - channel.bytesBeforeUnwritable()
                : channel.config().getWriteBufferLowWaterMark() + channel.bytesBeforeWritable();
    }

    @Override
    public final boolean writable() {
        return channel.isWritable();
    }

    @Override
    public final boolean open() {
        return channel.isActive();
    }

    @Override
    public final void close() {
        channel.close();
    }
}
