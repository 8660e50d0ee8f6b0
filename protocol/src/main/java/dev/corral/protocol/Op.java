package dev.corral.protocol;

/** Names of the operations a request may carry in its {@code op} field. */
public final class Op {
    public static final String HELLO = "hello";
    public static final String PING = "ping";
    public static final String DAEMON_STATUS = "daemon.status";
    public static final String SHUTDOWN = "shutdown";

    private Op() {}
}
