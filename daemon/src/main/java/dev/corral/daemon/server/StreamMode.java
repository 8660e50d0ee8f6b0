package dev.corral.daemon.server;

import dev.corral.daemon.Fatal;
import dev.corral.daemon.session.Attachment;
import dev.corral.daemon.session.Session;
import dev.corral.protocol.Protocol;
import dev.corral.protocol.Stream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection after a successful attach: JSON framing is gone, and stream messages (see
 * {@link Stream}) carry terminal bytes, resizes and the detach between client and session.
 */
public final class StreamMode {
    private static final Logger log = LoggerFactory.getLogger(StreamMode.class);

    private StreamMode() {}

    /**
     * Swaps the JSON handlers for stream handlers, the redraw starting {@code scrollback} lines
     * back; must run on the channel's event loop.
     */
    static void enter(Channel channel, Session session, boolean readOnly, boolean replay, int scrollback) {
        ChannelPipeline pipeline = channel.pipeline();
        Client client = new Client();
        // Added behind the frame decoder first, so bytes it already buffered flow on into stream decoding.
        pipeline.addAfter("frame-decoder", "stream-decoder", new Decoder());
        pipeline.addAfter("stream-decoder", "attached", client);
        pipeline.remove("dispatcher");
        pipeline.remove("request-decoder");
        client.attachment = session.attach(new StreamClient(channel), readOnly, replay, scrollback);
        pipeline.remove("frame-decoder");
    }

    private record Message(byte type, ByteBuf payload) {}

    /** Splits stream messages; an oversized or unknown one ends the attachment. */
    private static final class Decoder extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (in.readableBytes() >= Stream.HEADER_BYTES) {
                byte type = in.getByte(in.readerIndex());
                int length = in.getInt(in.readerIndex() + 1);
                if (length < 0 || length > Stream.MAX_PAYLOAD || type < Stream.DATA || type > Stream.DETACH) {
                    in.skipBytes(in.readableBytes());
                    byte[] why = ("bad stream message (type " + type + ", length " + length + "); detaching")
                            .getBytes(StandardCharsets.UTF_8);
                    ctx.writeAndFlush(Unpooled.buffer().writeByte(Stream.DETACH).writeInt(why.length).writeBytes(why))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                if (in.readableBytes() < Stream.HEADER_BYTES + length) {
                    return;
                }
                in.skipBytes(Stream.HEADER_BYTES);
                out.add(new Message(type, in.readRetainedSlice(length)));
            }
        }
    }

    /** Applies one attached client's messages to its session. */
    private static final class Client extends ChannelInboundHandlerAdapter {
        private Attachment attachment;
        private boolean warnedOfDroppedInput;
        private boolean warnedOfClamp;

        /** Held to the spawn's limit: a terminal of 65535×65535 would make tmux allocate gigabytes. */
        private void resize(int cols, int rows) {
            int max = Protocol.MAX_TERMINAL_SIZE;
            if ((cols > max || rows > max) && !warnedOfClamp) {
                warnedOfClamp = true;
                log.warn("a client of session {} asked for a {}x{} terminal: clamped to {}x{}, the largest a session may have",
                        attachment.session().name(), cols, rows, Math.min(cols, max), Math.min(rows, max));
            }
            attachment.session().resize(Math.min(cols, max), Math.min(rows, max));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Message message = (Message) msg;
            try {
                switch (message.type()) {
                    case Stream.DATA -> {
                        if (!attachment.readOnly() && !attachment.session().write(message.payload().nioBuffer())
                                && !warnedOfDroppedInput) {
                            // Once per client: the program is not reading, or its terminal is being reattached.
                            warnedOfDroppedInput = true;
                            log.warn("keystrokes from a client of session {} dropped: its input queue is full or its"
                                    + " terminal is not there", attachment.session().name());
                        }
                    }
                    case Stream.RESIZE -> {
                        if (!attachment.readOnly() && message.payload().readableBytes() == 4) {
                            resize(message.payload().getUnsignedShort(0), message.payload().getUnsignedShort(2));
                        }
                    }
                    case Stream.DETACH -> {
                        attachment.detach("client detached");
                        byte[] why = "detached".getBytes(StandardCharsets.UTF_8);
                        ctx.writeAndFlush(Unpooled.buffer().writeByte(Stream.DETACH).writeInt(why.length).writeBytes(why))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                    default -> { }
                }
            } finally {
                message.payload().release();
            }
        }

        /** The connection drained under its low mark: the session may read its program again. */
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && attachment != null) {
                attachment.writable();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent) {
                attachment.detach("client closed its side");
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (attachment != null) {
                attachment.detach("connection closed");
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Fatal.haltIfError("an attached connection", cause);
            ctx.close();
        }
    }
}
