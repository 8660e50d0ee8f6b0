package dev.corral.daemon.session;

/**
 * The last {@code capacity} bytes a session wrote, kept so a client that attaches later sees
 * the screen it missed. Not thread-safe: its {@link Session} guards it.
 */
final class ReplayBuffer {
    private final byte[] ring;
    private long written;

    ReplayBuffer(int capacity) {
        this.ring = new byte[capacity];
    }

    void append(byte[] bytes, int offset, int length) {
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

    /** The retained bytes, oldest first, at most {@code limit} of the newest. */
    byte[] snapshot(int limit) {
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
        return snapshot(ring.length);
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
