package dev.corral.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The frame codec for blocking channels: a 4-byte big-endian length, then that many bytes of
 * UTF-8 JSON. The daemon has its own Netty decoder built on {@link #checkLength}.
 */
public final class Frames {
    private Frames() {}

    /** The payload length announced by a header, refused when it is negative or too large. */
    public static int checkLength(int announced) throws FrameTooLargeException {
        if (announced < 0 || announced > Protocol.MAX_FRAME_BYTES) {
            throw new FrameTooLargeException(announced & 0xFFFFFFFFL);
        }
        return announced;
    }

    /** Header and payload in one buffer, ready to write. */
    public static ByteBuffer encode(byte[] payload) {
        if (payload.length > Protocol.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("frame of " + payload.length + " bytes exceeds "
                    + Protocol.MAX_FRAME_BYTES);
        }
        ByteBuffer frame = ByteBuffer.allocate(Protocol.HEADER_BYTES + payload.length);
        frame.putInt(payload.length).put(payload).flip();
        return frame;
    }

    public static void write(WritableByteChannel channel, byte[] payload) throws IOException {
        ByteBuffer frame = encode(payload);
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }

    /**
     * Reads one frame's payload. Returns {@code null} when the peer closed the connection
     * between frames; throws {@link EOFException} when it closed inside one.
     */
    public static byte[] read(ReadableByteChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(Protocol.HEADER_BYTES);
        if (!fill(channel, header, true)) {
            return null;
        }
        int length = checkLength(header.flip().getInt());
        ByteBuffer payload = ByteBuffer.allocate(length);
        fill(channel, payload, false);
        return payload.array();
    }

    private static boolean fill(ReadableByteChannel channel, ByteBuffer buffer, boolean eofAllowed)
            throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (eofAllowed && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("connection closed inside a frame");
            }
        }
        return true;
    }

    /** A length prefix beyond {@link Protocol#MAX_FRAME_BYTES}. */
    public static final class FrameTooLargeException extends IOException {
        private final long announced;

        public FrameTooLargeException(long announced) {
            super("frame of " + announced + " bytes exceeds the limit of " + Protocol.MAX_FRAME_BYTES);
            this.announced = announced;
        }

        public long announced() {
            return announced;
        }
    }
}
