package dev.corral.daemon.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.Message;
import dev.corral.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes a JSON message as one frame: 4-byte big-endian length, then the UTF-8 JSON. */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToByteEncoder<JsonNode> {
    private static final Logger log = LoggerFactory.getLogger(FrameEncoder.class);
    private final ObjectMapper mapper;

    /** A message whose JSON would exceed {@link Protocol#MAX_FRAME_BYTES}; nothing of it was written. */
    static final class TooLargeException extends EncoderException {
        private final int length;

        TooLargeException(int length) {
            super("message of " + length + " bytes exceeds the frame limit of " + Protocol.MAX_FRAME_BYTES);
            this.length = length;
        }

        int length() {
            return length;
        }
    }

    FrameEncoder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, JsonNode message, ByteBuf out) throws Exception {
        int start = out.writerIndex();
        out.writeInt(0);
        mapper.writeValue((java.io.OutputStream) new ByteBufOutputStream(out), message);
        int length = out.writerIndex() - start - Protocol.HEADER_BYTES;
        if (length > Protocol.MAX_FRAME_BYTES) {
            out.writerIndex(start);
            if (!message.has(Message.ID)) {
                // Not a reply (an event): no dispatcher answers for it, so say it here.
                log.warn("a message of {} bytes for {} exceeds the frame limit and was not sent", length, ctx.channel());
            }
            throw new TooLargeException(length);
        }
        out.setInt(start, length);
    }
}
