package dev.corral.daemon.server;

import dev.corral.daemon.session.AttachedClient;
import dev.corral.daemon.terminal.Buffers;
import dev.corral.daemon.terminal.Chunk;
import dev.corral.protocol.Stream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.nio.charset.StandardCharsets;

/**
 * An attached connection in stream mode, as the session sees it: each piece of output is a DATA
 * message, its 5-byte header written before the very buffer the output was read into.
 */
final class StreamClient implements AttachedClient {
    private final Channel channel;

    StreamClient(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void output(Chunk chunk) {
        ByteBuf payload = Buffers.retained(chunk);
        while (payload.readableBytes() > Stream.MAX_PAYLOAD) {
            writeData(payload.readRetainedSlice(Stream.MAX_PAYLOAD), false);
        }
        writeData(payload, true);
    }

    private void writeData(ByteBuf payload, boolean flush) {
        ByteBuf header = channel.alloc().buffer(Stream.HEADER_BYTES).writeByte(Stream.DATA).writeInt(payload.readableBytes());
        channel.write(header, channel.voidPromise());
        if (flush) {
            channel.writeAndFlush(payload, channel.voidPromise());
        } else {
            channel.write(payload, channel.voidPromise());
        }
    }

    /** What Netty holds for the connection: below the high mark while writable, past the low mark when not. */
    @Override
    public long queuedBytes() {
        return channel.isWritable() ? channel.config().getWriteBufferHighWaterMark() - channel.bytesBeforeUnwritable()
                : channel.config().getWriteBufferLowWaterMark() + channel.bytesBeforeWritable();
    }

    @Override
    public boolean writable() {
        return channel.isWritable();
    }

    @Override
    public boolean open() {
        return channel.isActive();
    }

    @Override
    public void exited(int exitCode) {
        byte[] json = ("{\"exitCode\":" + exitCode + "}").getBytes(StandardCharsets.UTF_8);
        channel.writeAndFlush(channel.alloc().buffer(Stream.HEADER_BYTES + json.length).writeByte(Stream.EXIT)
                .writeInt(json.length).writeBytes(json)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void close() {
        channel.close();
    }
}
