package dev.corral.daemon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The frame decoder fed at awkward split points, as Netty's own decoder tests do. */
class FrameDecoderTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private static byte[] frame(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static String text(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }

    @Test
    void reassemblesFramesSplitAtEveryPosition() {
        byte[] bytes = concat(frame("{\"a\":1}"), frame("{\"b\":2}"));
        for (int split = 1; split < bytes.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(mapper, 10_000));
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
            assertEquals("{\"a\":1}", text(channel.readInbound()), "split at " + split);
            assertEquals("{\"b\":2}", text(channel.readInbound()), "split at " + split);
            assertNull(channel.readInbound());
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void oversizedPrefixIsAnsweredAndClosed() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(mapper), new FrameDecoder(mapper, 10_000));
        channel.writeInbound(Unpooled.buffer().writeInt(Integer.MAX_VALUE).writeByte('{'));
        ByteBuf out = channel.readOutbound();
        out.skipBytes(4);
        JsonNode error = mapper.readTree(text(out));
        assertEquals("FRAME_TOO_LARGE", error.path("error").path("code").asText());
        assertFalse(channel.isOpen());
    }

    @Test
    void endInsideAFrameIsTruncated() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(mapper), new FrameDecoder(mapper, 10_000));
        channel.writeInbound(Unpooled.buffer().writeInt(20).writeBytes("{\"id\"".getBytes(StandardCharsets.UTF_8)));
        channel.pipeline().fireChannelInactive();
        ByteBuf out = channel.readOutbound();
        out.skipBytes(4);
        assertEquals("TRUNCATED_FRAME", mapper.readTree(text(out)).path("error").path("code").asText());
    }
}
