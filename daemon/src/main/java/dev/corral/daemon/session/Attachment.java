package dev.corral.daemon.session;

import dev.corral.daemon.terminal.Chunk;

/**
 * One client attached to a session. Output is queued on its connection; the session's
 * {@link FanOut} paces the program to the fastest client and stops waiting for one that stays
 * behind, and a client more than {@code maxQueuedBytes} behind is disconnected, so a stalled
 * client can never hold back the program or the other clients.
 */
public final class Attachment {
    static final long NOT_BEHIND = Long.MIN_VALUE;

    private final Session session;
    private final AttachedClient client;
    private final boolean readOnly;
    private final long maxQueuedBytes;
    /** When this client fell behind, or {@link #NOT_BEHIND}; guarded by the session's {@link FanOut}. */
    long behindSince = NOT_BEHIND;

    Attachment(Session session, AttachedClient client, boolean readOnly, long maxQueuedBytes) {
        this.session = session;
        this.client = client;
        this.readOnly = readOnly;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    public Session session() {
        return session;
    }

    public boolean readOnly() {
        return readOnly;
    }

    AttachedClient client() {
        return client;
    }

    /** Queues output; returns false when the client was gone or too far behind, and has been dropped. */
    boolean send(Chunk chunk) {
        if (!client.open() || client.queuedBytes() > maxQueuedBytes) {
            client.close();
            return false;
        }
        client.output(chunk);
        return true;
    }

    /** The client's connection takes output again (it fell under its low mark): the program may go on. */
    public void writable() {
        session.fanOut().clientWritable(this);
    }

    /** The client asked to detach, or its connection ended. */
    public void detach(String reason) {
        session.detach(this, reason);
    }
}
