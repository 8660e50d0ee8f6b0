package dev.corral.daemon.terminal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** What the transport writes for a {@link Chunk}: the buffer it was read into, or its copied bytes wrapped. */
public final class Buffers {
    private Buffers() {}

    /** A buffer of the chunk's bytes that the caller owns (one reference): write it and Netty releases it. */
    public static ByteBuf retained(Chunk chunk) {
        if (chunk instanceof Pooled pooled) {
            return pooled.buffer.retainedSlice();
        }
        return Unpooled.wrappedBuffer(((Chunk.Copied) chunk).bytes());
    }

    /** A chunk that is a pooled (direct) buffer PTY output was read into. */
    static final class Pooled implements Chunk {
        final ByteBuf buffer;

        Pooled(ByteBuf buffer) {
            this.buffer = buffer;
        }

        @Override
        public int length() {
            return buffer.readableBytes();
        }

        @Override
        public Chunk retain() {
            buffer.retain();
            return this;
        }

        @Override
        public void release() {
            buffer.release();
        }
    }
}
