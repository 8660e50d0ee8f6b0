package dev.corral.daemon.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes a JSON message as one frame: 4-byte big-endian length, then the UTF-8 JSON. */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToByteEncoder<JsonNode> {
    private final ObjectMapper mapper;

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
            throw new EncoderException("response of " + length + " bytes exceeds the frame limit");
        }
        out.setInt(start, length);
    }
}
