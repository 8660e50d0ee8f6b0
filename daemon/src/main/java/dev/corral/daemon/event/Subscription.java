package dev.corral.daemon.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.Events;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * One subscriber's connection. It first replays what the journal holds after the id it resumes
 * from, a chunk at a time, then (the switch happens on the hub's thread, see
 * {@link EventHub#catchUp}) takes live events from its bounded {@link EventQueue}. Frames are
 * written on the connection's event loop only while the connection is writable; when it is not,
 * the subscription waits for Netty to say it is again. So a subscriber that stops reading holds at
 * most its queue and the connection's write buffer, and never slows the hub or anyone else.
 *
 * <p>Threads: {@link #offer} on the hub's thread; everything else on the connection's event loop.
 */
public final class Subscription {
    /** Events read from the journal at a time while replaying. */
    static final int REPLAY_CHUNK = 512;

    private final EventHub hub;
    private final Subscriber connection;
    private final Set<String> channels;
    private final EventQueue queue;
    private final ObjectMapper mapper;
    private long seq;
    /** Set on the hub's thread when replay is over; from then on the hub offers live events. */
    private volatile boolean live;
    private final ArrayDeque<Item> replayed = new ArrayDeque<>();
    private long replayedThrough;
    private long replayTarget;
    private boolean waiting;

    Subscription(EventHub hub, Subscriber connection, Set<String> channels, int queueBound, ObjectMapper mapper) {
        this.hub = hub;
        this.connection = connection;
        this.channels = Set.copyOf(channels);
        this.queue = new EventQueue(queueBound);
        this.mapper = mapper;
    }

    Set<String> channels() {
        return channels;
    }

    boolean wants(String channel) {
        return channels.contains(channel);
    }

    boolean live() {
        return live;
    }

    long dropped() {
        return queue.droppedTotal();
    }

    /** Hub's thread, at registration: live at once, or replay (since, target] first. */
    void start(Long since, long target) {
        if (since == null || since >= target) {
            live = true;
            return;
        }
        onLoop(() -> {
            replayedThrough = since;
            replayTarget = target;
            drain();
        });
    }

    /** Hub's thread: the replay reached the hub's newest event; live events follow with no hole. */
    void goLive() {
        live = true;
        onLoop(() -> {
            waiting = false;
            drain();
        });
    }

    /** Hub's thread: more events were published while replaying; replay those too. */
    void replayFurther(long target) {
        onLoop(() -> {
            replayTarget = target;
            waiting = false;
            drain();
        });
    }

    /** Hub's thread, live only: queue the event and wake the writer if it sleeps. */
    void offer(Event event) {
        if (queue.offer(event)) {
            onLoop(this::drain);
        }
    }

    /** Writes what is ready while the connection takes it. Event loop; also when it becomes writable. */
    public void drain() {
        if (!connection.open()) {
            return;
        }
        boolean wrote = false;
        while (connection.writable()) {
            Item item = live ? queue.poll() : nextReplayed();
            if (item == null) {
                break;
            }
            write(item);
            wrote = true;
        }
        if (wrote) {
            connection.flush();
        }
    }

    /** The next replayed item, or null after asking for more (the answer calls {@link #drain} again). */
    private Item nextReplayed() {
        Item item = replayed.poll();
        if (item != null || waiting) {
            return item;
        }
        waiting = true;
        if (replayedThrough >= replayTarget) {
            hub.catchUp(this, replayedThrough);
            return null;
        }
        long after = replayedThrough;
        long target = replayTarget;
        hub.readJournal(after, target, REPLAY_CHUNK, this::wants, chunk -> onLoop(() -> {
            replayed.addAll(chunk.items());
            replayedThrough = chunk.through();
            waiting = false;
            drain();
        }));
        return null;
    }

    private void write(Item item) {
        byte[] body = item instanceof Event event ? event.json() : ((Gap) item).json(mapper);
        byte[] prefix = ("{\"" + Events.FRAME + "\":{\"" + Events.SEQ + "\":" + (++seq) + ",").getBytes(StandardCharsets.US_ASCII);
        // {"event":{"seq":N,  +  the body without its opening brace  +  }
        byte[] json = new byte[prefix.length + body.length - 1 + 1];
        System.arraycopy(prefix, 0, json, 0, prefix.length);
        System.arraycopy(body, 1, json, prefix.length, body.length - 1);
        json[json.length - 1] = '}';
        connection.write(json);
    }

    /** Runs a task on the connection's event loop, unless that loop has stopped (the daemon is stopping). */
    private void onLoop(Runnable task) {
        try {
            connection.execute(task);
        } catch (RejectedExecutionException e) {
            // The connection is closed with its loop; nothing is left to deliver to.
        }
    }

    /** The connection ended: the hub forgets this subscriber. */
    public void closed() {
        hub.unsubscribe(this);
    }
}
