package dev.corral.protocol;

/**
 * Stable error codes carried in {@code error.code}. The names are the wire values; never rename
 * one, only add. Each names the client exit status it maps to (the CLI contract).
 */
public enum ErrorCode {
    /** The frame's payload is not valid UTF-8 JSON. */
    BAD_JSON(1),
    /** Valid JSON, but not a request: not an object, no id, no op, a field of the wrong type. */
    BAD_REQUEST(1),
    /** The length prefix exceeds {@link Protocol#MAX_FRAME_BYTES}; the connection is closed. */
    FRAME_TOO_LARGE(1),
    /** The connection ended, or went quiet too long, in the middle of a frame. */
    TRUNCATED_FRAME(1),
    /** The first request on a connection was not a hello. */
    HELLO_REQUIRED(1),
    /** The hello's protocol version is not the daemon's; the connection is closed. */
    VERSION_MISMATCH(5),
    /** No operation of that name. */
    UNKNOWN_OP(1),
    /** The peer runs as another user; the connection is closed. */
    PEER_REFUSED(5),
    /** The daemon is at a limit (connections, queued work, a session's input queue); try again later. */
    BUSY(75),
    /** The daemon is shutting down and takes no new work. */
    SHUTTING_DOWN(5),
    /** No session of that name. */
    NO_SUCH_SESSION(3),
    /** A name taken, a workspace leased, a cap reached. */
    CONFLICT(4),
    /** The user's config file is broken; the message names the file, the line and the key. */
    BAD_CONFIG(1),
    /** A program or image the request needs (tmux, docker, an agent's binary, the agent image) is not there. */
    MISSING_DEPENDENCY(1),
    /** A program the daemon drives (tmux, the docker engine) did not answer in time or failed. */
    UNAVAILABLE(1),
    /**
     * A file or folder corral owns (a workspace's {@code .corral/}, the state directory) is a
     * symlink, not of its kind, or another user's: nothing is read or written through it.
     */
    UNSAFE_PATH(1),
    /** The answer would exceed {@link Protocol#MAX_FRAME_BYTES}; ask for less (fewer bytes, one session). */
    REPLY_TOO_LARGE(1),
    /** A bug in the daemon; the log has the details. */
    INTERNAL(1);

    private final int exitStatus;

    ErrorCode(int exitStatus) {
        this.exitStatus = exitStatus;
    }

    /** The {@code corral} exit status for a request that failed with this code. */
    public int exitStatus() {
        return exitStatus;
    }

    /** The code named on the wire, or {@link #INTERNAL} for a name this build does not know. */
    public static ErrorCode fromWire(String name) {
        for (ErrorCode code : values()) {
            if (code.name().equals(name)) {
                return code;
            }
        }
        return INTERNAL;
    }
}
