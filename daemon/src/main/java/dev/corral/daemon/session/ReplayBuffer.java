package dev.corral.daemon.session;

/**
 * The last {@code capacity} bytes a session wrote, kept so a client that attaches later sees
 * the screen it missed. Not thread-safe: its {@link Session} guards it.
 *
 * <p>The array grows with what was written (doubling, from 1 KiB) up to {@code capacity}: an idle
 * session costs nothing here rather than the whole capacity (64 KiB by default, a third of a
 * session's memory at 1,000 sessions). Until it reaches the capacity the bytes lie in order from
 * index 0; from then on it is a ring, the next byte at {@code written % capacity}.
 */
final class ReplayBuffer {
    private static final int FIRST_SIZE = 1024;
    private static final byte[] EMPTY = new byte[0];

    private final int capacity;
    private byte[] ring = EMPTY;
    private long written;

    ReplayBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a replay buffer holds at least one byte");
        }
        this.capacity = capacity;
    }

    void append(byte[] bytes, int offset, int length) {
        if (length <= 0) {
            return;
        }
        if (ring.length < capacity) {
            grow(written + length);
        }
        if (length >= ring.length) {
            System.arraycopy(bytes, offset + length - ring.length, ring, 0, ring.length);
            written += length;
            // Realign so that the next byte goes to position written % capacity.
            rotate((int) (written % ring.length));
            return;
        }
        int start = (int) (written % ring.length);
        int first = Math.min(length, ring.length - start);
        System.arraycopy(bytes, offset, ring, start, first);
        System.arraycopy(bytes, offset + first, ring, 0, length - first);
        written += length;
    }

    /** Before the ring is full: room for {@code needed} bytes in order, or the whole capacity. */
    private void grow(long needed) {
        if (needed <= ring.length) {
            return;
        }
        long size = Math.max(needed, Math.max(FIRST_SIZE, 2L * ring.length));
        ring = java.util.Arrays.copyOf(ring, (int) Math.min(capacity, size));
    }

    /** The retained bytes, oldest first, at most {@code limit} of the newest. */
    byte[] snapshot(int limit) {
        if (ring.length == 0) {
            return EMPTY.clone();
        }
        int size = (int) Math.min(Math.min(written, ring.length), limit);
        byte[] copy = new byte[size];
        int end = (int) (written % ring.length);
        int start = Math.floorMod(end - size, ring.length);
        int first = Math.min(size, ring.length - start);
        System.arraycopy(ring, start, copy, 0, first);
        System.arraycopy(ring, 0, copy, first, size - first);
        return copy;
    }

    byte[] snapshot() {
        return snapshot(capacity);
    }

    long written() {
        return written;
    }

    private void rotate(int shift) {
        if (shift == 0) {
            return;
        }
        byte[] copy = ring.clone();
        for (int i = 0; i < ring.length; i++) {
            ring[(i + shift) % ring.length] = copy[i];
        }
    }
}
