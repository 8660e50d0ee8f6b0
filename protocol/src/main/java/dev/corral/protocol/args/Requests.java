package dev.corral.protocol.args;

import dev.corral.protocol.Op;
import java.util.LinkedHashMap;
import java.util.Map;

/** Which record each operation's {@code args} bind to: the argument grammar of the protocol, in one table. */
public final class Requests {
    private static final Map<String, Class<? extends Record>> ARGS = new LinkedHashMap<>();

    static {
        ARGS.put(Op.HELLO, HelloArgs.class);
        ARGS.put(Op.PING, NoArgs.class);
        ARGS.put(Op.DAEMON_STATUS, NoArgs.class);
        ARGS.put(Op.SHUTDOWN, NoArgs.class);
        ARGS.put(Op.SPAWN, SpawnArgs.class);
        ARGS.put(Op.LIST, ListArgs.class);
        ARGS.put(Op.SHOW, NameArgs.class);
        ARGS.put(Op.KILL, KillArgs.class);
        ARGS.put(Op.REMOVE, RemoveArgs.class);
        ARGS.put(Op.WAIT, WaitArgs.class);
        ARGS.put(Op.SEND, SendArgs.class);
        ARGS.put(Op.TAIL, TailArgs.class);
        ARGS.put(Op.SCREEN, ScreenArgs.class);
        ARGS.put(Op.ATTACH, AttachArgs.class);
        ARGS.put(Op.PROFILE_LIST, NoArgs.class);
        ARGS.put(Op.PROFILE_SHOW, NameArgs.class);
        ARGS.put(Op.SUBSCRIBE, SubscribeArgs.class);
        ARGS.put(Op.IMAGE_BUILD, BuildImageArgs.class);
        ARGS.put(Op.CONTAINER_PS, NoArgs.class);
        ARGS.put(Op.CONTAINER_LOGS, ContainerLogsArgs.class);
        ARGS.put(Op.CONTAINER_SHELL, NameArgs.class);
        ARGS.put(Op.CONTAINER_SNAPSHOT, SnapshotArgs.class);
        ARGS.put(Op.LEASE_LIST, NoArgs.class);
        ARGS.put(Op.LEASE_SHOW, LeaseArgs.class);
        ARGS.put(Op.LEASE_RELEASE, LeaseArgs.class);
        ARGS.put(Op.WEB_START, WebStartArgs.class);
    }

    private Requests() {}

    /** The record {@code op}'s arguments bind to, or null for an operation the protocol does not have. */
    public static Class<? extends Record> argsOf(String op) {
        return ARGS.get(op);
    }

    /** Every operation and its record, in the order of PROTOCOL.md. */
    public static Map<String, Class<? extends Record>> all() {
        return java.util.Collections.unmodifiableMap(ARGS);
    }
}
