package dev.corral.daemon.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Frames;
import dev.corral.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Splits the byte stream into frame payloads. A length prefix over the limit, a connection
 * that ends inside a frame, and a frame that stops arriving half-way are each answered with an
 * error frame, and the connection is closed: after any of them the stream has no trustworthy
 * frame boundary left.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private final ObjectMapper mapper;
    private final long stallMillis;
    private ScheduledFuture<?> stallTimer;
    private long lastBytesNanos;
    private boolean failed;

    FrameDecoder(ObjectMapper mapper, long stallMillis) {
        this.mapper = mapper;
        this.stallMillis = stallMillis;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        lastBytesNanos = System.nanoTime();
        while (in.readableBytes() >= Protocol.HEADER_BYTES) {
            int length;
            try {
                length = Frames.checkLength(in.getInt(in.readerIndex()));
            } catch (Frames.FrameTooLargeException e) {
                fail(ctx, in, ErrorCode.FRAME_TOO_LARGE, e.getMessage() + "; closing the connection");
                return;
            }
            if (in.readableBytes() < Protocol.HEADER_BYTES + length) {
                break;
            }
            in.skipBytes(Protocol.HEADER_BYTES);
            out.add(in.readRetainedSlice(length));
        }
        watchForStall(ctx, in.isReadable());
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (in.isReadable() && !failed) {
            fail(ctx, in, ErrorCode.TRUNCATED_FRAME,
                    "the connection ended " + in.readableBytes() + " bytes into a frame");
        }
    }

    @Override
    public void handlerRemoved0(ChannelHandlerContext ctx) {
        watchForStall(ctx, false);
    }

    /** A frame begun and never finished would hold its bytes forever; give it a deadline. */
    private void watchForStall(ChannelHandlerContext ctx, boolean partialFrame) {
        if (!partialFrame) {
            if (stallTimer != null) {
                stallTimer.cancel(false);
                stallTimer = null;
            }
        } else if (stallTimer == null) {
            scheduleStallCheck(ctx, stallMillis);
        }
    }

    /** The deadline counts from the last bytes received, so a slow but moving frame is never cut. */
    private void scheduleStallCheck(ChannelHandlerContext ctx, long delayMillis) {
        stallTimer = ctx.executor().schedule(() -> {
            stallTimer = null;
            if (failed || actualReadableBytes() == 0) {
                return;
            }
            long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastBytesNanos);
            if (quietMillis < stallMillis) {
                scheduleStallCheck(ctx, stallMillis - quietMillis);
            } else {
                fail(ctx, internalBuffer(), ErrorCode.TRUNCATED_FRAME,
                        "no more bytes for " + stallMillis + " ms in the middle of a frame; closing the connection");
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, ErrorCode code, String message) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(Responses.error(mapper, null, code, message)).addListener(ChannelFutureListener.CLOSE);
    }
}
