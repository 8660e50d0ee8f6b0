package dev.corral.daemon.session;

import dev.corral.daemon.terminal.Chunk;

/**
 * A client attached to a session, as the session sees it, whatever carries it (a socket in
 * stream mode, a browser's WebSocket). The transport implements it; it tells the session's
 * {@link Attachment} when it can take more ({@link Attachment#writable}).
 */
public interface AttachedClient {
    /** Queues terminal output; the client {@link Chunk#retain retains} the chunk for as long as it keeps it. */
    void output(Chunk chunk);

    /** Bytes queued for the client and not yet taken by it. */
    long queuedBytes();

    /** True while the client takes output as fast as it comes (its queue is under its mark). */
    boolean writable();

    boolean open();

    /** The session ended: its status is the last message, and the connection closes once it is written. */
    void exited(int exitCode);

    /** Closes the connection at once (the client fell too far behind). */
    void close();
}
