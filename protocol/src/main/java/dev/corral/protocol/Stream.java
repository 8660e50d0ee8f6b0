package dev.corral.protocol;

/**
 * Stream mode, which a connection enters after a successful attach. Every message is a 5-byte
 * header (1 byte type, 4 bytes big-endian payload length) and the payload; terminal bytes travel
 * as they are. PROTOCOL.md describes each type.
 */
public final class Stream {
    public static final int HEADER_BYTES = 5;
    /** Largest payload of one stream message; longer input is split by the sender. */
    public static final int MAX_PAYLOAD = 64 * 1024;

    /** Both directions: terminal bytes (daemon → client output, client → daemon keystrokes). */
    public static final byte DATA = 1;
    /** Client → daemon: 4 bytes, columns then rows, each a big-endian unsigned 16-bit number. */
    public static final byte RESIZE = 2;
    /** Client → daemon: detach now (empty payload). Daemon → client: why the daemon let go (UTF-8 text). */
    public static final byte DETACH = 3;
    /** Daemon → client: the session ended; a JSON object {"exitCode": N}. The daemon then closes. */
    public static final byte EXIT = 4;

    private Stream() {}
}
