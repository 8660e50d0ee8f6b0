package dev.corral.daemon.terminal;

import java.util.Arrays;

/**
 * A piece of terminal output as it goes out to every attached client: never changed once made,
 * and reference-counted, so each client can keep it queued until its connection has written it
 * (the bytes read from a PTY go out in the very buffer they were read into). Whoever keeps a chunk
 * past the call that handed it over {@link #retain retains} it and {@link #release releases} it
 * once done.
 */
public interface Chunk {
    int length();

    Chunk retain();

    void release();

    /** A chunk of its own copy of {@code length} bytes from {@code offset}: for output that comes as arrays. */
    static Chunk copyOf(byte[] bytes, int offset, int length) {
        return new Copied(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /** Heap bytes that the garbage collector frees: retaining and releasing them costs nothing. */
    record Copied(byte[] bytes) implements Chunk {
        @Override
        public int length() {
            return bytes.length;
        }

        @Override
        public Chunk retain() {
            return this;
        }

        @Override
        public void release() {}
    }
}
