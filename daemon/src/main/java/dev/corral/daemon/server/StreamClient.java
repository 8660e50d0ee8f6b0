package dev.corral.daemon.server;

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
final class StreamClient extends ChannelClient {
    StreamClient(Channel channel) {
        super(channel);
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

    @Override
    public void exited(int exitCode) {
        byte[] json = ("{\"exitCode\":" + exitCode + "}").getBytes(StandardCharsets.UTF_8);
        channel.writeAndFlush(channel.alloc().buffer(Stream.HEADER_BYTES + json.length).writeByte(Stream.EXIT)
                .writeInt(json.length).writeBytes(json)).addListener(ChannelFutureListener.CLOSE);
    }
}
