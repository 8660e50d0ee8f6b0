package dev.corral.daemon.event;

/**
 * The connection a {@link Subscription} writes its event frames to, as the hub sees it; the
 * transport implements it (a socket's length-prefixed frames, a browser's text frames) and calls
 * {@link Subscription#drain} when the connection takes more again.
 */
public interface Subscriber {
    boolean open();

    /** True while the connection takes more without queueing past its mark. */
    boolean writable();

    /** Queues one event frame's JSON; {@link #flush} sends what is queued. */
    void write(byte[] json);

    void flush();

    /**
     * Runs {@code task} on the connection's own thread (its event loop), where every call but
     * {@link Subscription#offer} happens; throws RejectedExecutionException once that has stopped.
     */
    void execute(Runnable task);
}
