package dev.corral.daemon.session;

import dev.corral.protocol.Stream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Builds the daemon's stream-mode messages (see {@link Stream}). */
final class StreamFrames {
    private StreamFrames() {}

    static ByteBuf data(byte[] bytes, int offset, int length) {
        ByteBuf frame = Unpooled.buffer(Stream.HEADER_BYTES + length);
        return frame.writeByte(Stream.DATA).writeInt(length).writeBytes(bytes, offset, length);
    }

    static ByteBuf exit(int exitCode) {
        return text(Stream.EXIT, "{\"exitCode\":" + exitCode + "}");
    }

    static ByteBuf detached(String reason) {
        return text(Stream.DETACH, reason);
    }

    private static ByteBuf text(byte type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Unpooled.buffer(Stream.HEADER_BYTES + bytes.length).writeByte(type).writeInt(bytes.length).writeBytes(bytes);
    }
}
