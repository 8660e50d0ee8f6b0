package dev.corral.daemon.server;

import dev.corral.daemon.event.Subscriber;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * A subscribed connection as the event hub sees it: on the socket each event is a frame (4-byte
 * length, then its JSON); on a browser's WebSocket each is one text frame.
 */
public final class ChannelSubscriber implements Subscriber {
    private final Channel channel;
    private final boolean webSocket;

    private ChannelSubscriber(Channel channel, boolean webSocket) {
        this.channel = channel;
        this.webSocket = webSocket;
    }

    /** Length-prefixed frames, as the socket protocol has them. */
    public static ChannelSubscriber framed(Channel channel) {
        return new ChannelSubscriber(channel, false);
    }

    /** One text frame per event. */
    public static ChannelSubscriber webSocket(Channel channel) {
        return new ChannelSubscriber(channel, true);
    }

    @Override
    public boolean open() {
        return channel.isActive();
    }

    @Override
    public boolean writable() {
        return channel.isWritable();
    }

    @Override
    public void write(byte[] json) {
        if (webSocket) {
            channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(json)), channel.voidPromise());
        } else {
            ByteBuf frame = channel.alloc().buffer(4 + json.length).writeInt(json.length).writeBytes(json);
            channel.write(frame, channel.voidPromise());
        }
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }
}
