package dev.corral.protocol;

import java.util.List;

/**
 * The event stream's names: channels a subscriber may choose, event types, and the members of
 * an event frame. PROTOCOL.md section 8 describes each.
 *
 * <pre>
 * {"event": {"seq": 7, "id": 42, "channel": "sessions", "type": "session.exited",
 *            "time": "2026-11-21T07:00:00.123Z", "data": {"session": "build", "exitCode": 3}}}
 * </pre>
 */
public final class Events {
    /** The member of a pushed frame that holds the event; a response never has it. */
    public static final String FRAME = "event";

    public static final String SEQ = "seq";
    public static final String ID = "id";
    public static final String CHANNEL = "channel";
    public static final String TYPE = "type";
    public static final String TIME = "time";
    public static final String DATA = "data";

    public static final String SESSIONS = "sessions";
    public static final String AGENTS = "agents";
    public static final String LEASES = "leases";
    public static final String CONTAINERS = "containers";
    public static final List<String> CHANNELS = List.of(SESSIONS, AGENTS, LEASES, CONTAINERS);

    // sessions
    public static final String SESSION_SPAWNED = "session.spawned";
    public static final String SESSION_ADOPTED = "session.adopted";
    /** The program of a spawned session started: its {@code pid} (added in version 4 without a bump; see PROTOCOL.md 8.3). */
    public static final String SESSION_STARTED = "session.started";
    public static final String SESSION_ATTACHED = "session.attached";
    public static final String SESSION_DETACHED = "session.detached";
    public static final String SESSION_EXITED = "session.exited";
    public static final String SESSION_LOST = "session.lost";
    public static final String SESSION_REMOVED = "session.removed";

    // agents
    public static final String AGENT_STATUS = "agent.status";
    public static final String AGENT_READINESS = "agent.readiness";

    // leases
    public static final String LEASE_ACQUIRED = "lease.acquired";
    public static final String LEASE_RELEASED = "lease.released";
    public static final String LEASE_STALE = "lease.stale";

    public static final String CONTAINER_CREATED = "container.created";
    public static final String CONTAINER_STARTED = "container.started";
    public static final String CONTAINER_DIED = "container.died";
    public static final String CONTAINER_REMOVED = "container.removed";
    public static final String CONTAINER_HEALTH = "container.health";

    /** Not an event of the daemon but of one subscription: events it will not get. No id, no channel. */
    public static final String GAP = "gap";
    /** Gap data: how many events were missed, the range of their ids, and why. */
    public static final String DROPPED = "dropped";
    public static final String FROM_ID = "fromId";
    public static final String TO_ID = "toId";
    public static final String REASON = "reason";
    /** The subscriber fell more than its queue behind; the events are still in the journal. */
    public static final String REASON_SLOW = "slow";
    /** Asked to resume from events the journal no longer holds. */
    public static final String REASON_EXPIRED = "expired";

    /** Subscribe arguments and result members. */
    public static final String ARG_CHANNELS = "channels";
    public static final String ARG_SINCE = "since";
    public static final String LAST_ID = "lastId";

    private Events() {}
}
