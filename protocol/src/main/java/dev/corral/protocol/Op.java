package dev.corral.protocol;

/** Names of the operations a request may carry in its {@code op} field. */
public final class Op {
    public static final String HELLO = "hello";
    public static final String PING = "ping";
    public static final String DAEMON_STATUS = "daemon.status";
    public static final String SHUTDOWN = "shutdown";
    public static final String SPAWN = "session.spawn";
    public static final String LIST = "session.list";
    public static final String SHOW = "session.show";
    public static final String KILL = "session.kill";
    public static final String REMOVE = "session.remove";
    public static final String WAIT = "session.wait";
    public static final String SEND = "session.send";
    public static final String TAIL = "session.tail";
    /** The session's screen from its model: rows, cursor, size, title, modes (PROTOCOL.md). */
    public static final String SCREEN = "session.screen";
    /** After its success response the connection is in stream mode ({@link Stream}). */
    public static final String ATTACH = "session.attach";
    public static final String PROFILE_LIST = "profile.list";
    public static final String PROFILE_SHOW = "profile.show";
    /** After its success response the connection carries pushed event frames ({@link Events}). */
    public static final String SUBSCRIBE = "events.subscribe";
    public static final String IMAGE_BUILD = "image.build";
    public static final String CONTAINER_PS = "container.ps";
    /** After its success response the connection is in stream mode, carrying the container's log. */
    public static final String CONTAINER_LOGS = "container.logs";
    public static final String CONTAINER_SHELL = "container.shell";
    public static final String CONTAINER_SNAPSHOT = "container.snapshot";
    /** Workspace leases (protocol 3). */
    public static final String LEASE_LIST = "lease.list";
    public static final String LEASE_SHOW = "lease.show";
    public static final String LEASE_RELEASE = "lease.release";
    public static final String WEB_START = "web.start";

    private Op() {}
}
