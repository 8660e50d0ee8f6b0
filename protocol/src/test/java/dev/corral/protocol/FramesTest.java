package dev.corral.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FramesTest {

    private static ReadableByteChannel channel(byte[] bytes) {
        return Channels.newChannel(new ByteArrayInputStream(bytes));
    }

    @Test
    void encodesBigEndianLengthThenPayload() {
        ByteBuffer frame = Frames.encode("{}".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {0, 0, 0, 2, '{', '}'}, frame.array());
    }

    @Test
    void readsBackWhatItWrote() throws IOException {
        byte[] payload = Json.write(Map.of("id", 1, "op", "ping"));
        assertArrayEquals(payload, Frames.read(channel(Frames.encode(payload).array())));
    }

    @Test
    void cleanEndBetweenFramesIsNull() throws IOException {
        assertNull(Frames.read(channel(new byte[0])));
    }

    @Test
    void endInsideAFrameIsAnError() {
        assertThrows(EOFException.class, () -> Frames.read(channel(new byte[] {0, 0, 0, 9, '{'})));
        assertThrows(EOFException.class, () -> Frames.read(channel(new byte[] {0, 0})));
    }

    @Test
    void refusesLengthsBeyondTheLimit() {
        byte[] header = ByteBuffer.allocate(4).putInt(Protocol.MAX_FRAME_BYTES + 1).array();
        var e = assertThrows(Frames.FrameTooLargeException.class, () -> Frames.read(channel(header)));
        assertEquals(Protocol.MAX_FRAME_BYTES + 1L, e.announced());
        byte[] negative = {(byte) 0xff, 0, 0, 0};
        assertThrows(Frames.FrameTooLargeException.class, () -> Frames.read(channel(negative)));
    }

    @Test
    void jsonRoundTripsPlainValues() throws IOException {
        Map<String, Object> value = Map.of("s", "héllo \"q\"", "n", 42L, "f", 1.5, "b", true,
                "list", List.of(1L, "two"), "nested", Map.of("k", "v"));
        assertEquals(value, Json.read(Json.write(value)));
    }

    @Test
    void jsonRefusesTrailingData() {
        assertThrows(IOException.class, () -> Json.read("{} {}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> Json.read(new byte[0]));
    }

    @Test
    void errorCodesMapToTheCliContract() {
        assertEquals(3, ErrorCode.NO_SUCH_SESSION.exitStatus());
        assertEquals(4, ErrorCode.CONFLICT.exitStatus());
        assertEquals(5, ErrorCode.VERSION_MISMATCH.exitStatus());
        assertEquals(ErrorCode.INTERNAL, ErrorCode.fromWire("SOMETHING_NEW"));
    }
}
