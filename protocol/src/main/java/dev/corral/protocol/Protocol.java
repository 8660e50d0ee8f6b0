package dev.corral.protocol;

/** The constants of corral's wire contract; PROTOCOL.md explains each one. */
public final class Protocol {
    /** Bumped whenever the bytes on the wire change meaning (2: attach and stream mode; 3: events,
     * agent profiles, workspaces and leases, container sessions, images and the container operations). */
    public static final int VERSION = 4;

    /** Bytes in the big-endian length prefix of every frame. */
    public static final int HEADER_BYTES = 4;

    /**
     * Largest JSON payload a peer may send in one frame. A longer length prefix is answered
     * with {@link ErrorCode#FRAME_TOO_LARGE} and the connection is closed.
     */
    public static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;

    /**
     * Largest terminal a peer may ask for, in columns and in rows: at spawn, at attach and in a
     * stream-mode RESIZE (which is clamped to it).
     */
    public static final int MAX_TERMINAL_SIZE = 1000;

    /** Milliseconds a new connection has to send its first frame (a hello) before it is closed (corrald's default). */
    public static final int HELLO_TIMEOUT_MILLIS = 10_000;

    private Protocol() {}
}
