package dev.corral.daemon.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.Events;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every event of the daemon goes: {@link #publish} gives it the next global id, writes it to
 * the {@link EventJournal} and offers it to each live {@link Subscription} that wants its channel.
 *
 * <p>All of that happens on one thread of the hub's own, in the order events are published, so
 * ids, the journal and every subscriber see one order, and no publisher (a PTY reader, an event
 * loop, a timer) ever waits for the disk or for a subscriber. Registering a subscriber happens on
 * the same thread: the newest id at that moment is its seam, the journal replays up to it and
 * live events start after it, so nothing is missed or repeated there. Reading the journal for a
 * replay runs on a second thread, so a long replay never holds up publishing.
 */
public final class EventHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventHub.class);
    /** An event larger than this is a bug in its publisher; it is logged and not published. */
    static final int MAX_EVENT_BYTES = 64 * 1024;

    /** The daemon's flags: journal bounds and each subscriber's queue. */
    public record Limits(int journalEvents, Duration journalAge, int subscriberQueue) {
        public static Limits defaults() {
            return new Limits(10_000, Duration.ofDays(7), 1024);
        }
    }

    private final ObjectMapper mapper;
    private final Limits limits;
    private final ScheduledExecutorService thread;
    private final ExecutorService replay;
    private final EventJournal journal;
    /** Replaced (never changed) on the hub's thread; read anywhere. */
    private volatile List<Subscription> subscriptions = List.of();
    /** The hub's thread only. */
    private long lastId;
    private volatile long published;
    private volatile long droppedByGone;

    private EventHub(Path dir, ObjectMapper mapper, Limits limits) {
        this.mapper = mapper;
        this.limits = limits;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "corral-events"));
        this.replay = Executors.newSingleThreadExecutor(r -> daemonThread(r, "corral-event-replay"));
        this.journal = EventJournal.open(dir, mapper, new EventJournal.Limits(limits.journalEvents(), limits.journalAge()), thread);
        this.lastId = journal.lastId();
        this.published = lastId;
    }

    /** Opens the journal in {@code dir} (see {@link EventJournal} for what happens to a damaged one). */
    public static EventHub open(Path dir, ObjectMapper mapper, Limits limits) {
        return new EventHub(dir, mapper, limits);
    }

    public Limits limits() {
        return limits;
    }

    /** The newest id published so far (0 before the first event ever). */
    public long lastId() {
        return published;
    }

    /**
     * Publishes an event: {@code channel} is one of {@link Events#CHANNELS}, {@code type} one of the
     * names in {@link Events} (PROTOCOL.md lists them with their data), {@code data} plain values
     * that Jackson writes as a JSON object. Returns at once; callable from any thread, including an
     * event loop. Events published by one thread keep their order.
     */
    public void publish(String channel, String type, Map<String, ?> data) {
        if (!Events.CHANNELS.contains(channel)) {
            throw new IllegalArgumentException("no event channel '" + channel + "'; channels are " + Events.CHANNELS);
        }
        Instant time = Instant.now();
        Map<String, ?> copy = data == null ? Map.of() : new LinkedHashMap<>(data);
        execute(() -> deliver(channel, type, time, copy));
    }

    private void deliver(String channel, String type, Instant time, Map<String, ?> data) {
        Event event = Event.encode(mapper, lastId + 1, channel, type, time, data);
        if (event.json().length > MAX_EVENT_BYTES) {
            log.error("bug: a {} event of {} bytes was not published (at most {})", type, event.json().length, MAX_EVENT_BYTES);
            return;
        }
        lastId = event.id();
        journal.append(event);
        for (Subscription subscription : subscriptions) {
            if (subscription.live() && subscription.wants(channel)) {
                subscription.offer(event);
            }
        }
        published = lastId;
    }

    /**
     * A subscriber on {@code connection} (which must already be ready to take event frames):
     * replays the journal after {@code since} (when not null), then goes live.
     */
    public Subscription subscribe(Subscriber connection, Set<String> channels, Long since) {
        Subscription subscription = new Subscription(this, connection, channels, limits.subscriberQueue(), mapper);
        execute(() -> {
            if (!connection.open()) {
                return;
            }
            List<Subscription> more = new ArrayList<>(subscriptions);
            more.add(subscription);
            subscriptions = List.copyOf(more);
            // The seam: everything up to lastId is in the journal, everything after it will be offered.
            subscription.start(since == null ? null : Math.min(since, lastId), lastId);
        });
        return subscription;
    }

    /** A replaying subscriber read through {@code through}: live now if that is the newest, else read on. */
    void catchUp(Subscription subscription, long through) {
        execute(() -> {
            if (through >= lastId) {
                subscription.goLive();
            } else {
                subscription.replayFurther(lastId);
            }
        });
    }

    void readJournal(long after, long upTo, int max, Predicate<String> wanted, Consumer<EventJournal.Chunk> then) {
        try {
            replay.execute(() -> then.accept(journal.read(after, upTo, max, wanted)));
        } catch (RejectedExecutionException e) {
            // stopping: the connection is being closed
        }
    }

    void unsubscribe(Subscription subscription) {
        execute(() -> {
            List<Subscription> fewer = new ArrayList<>(subscriptions);
            if (fewer.remove(subscription)) {
                subscriptions = List.copyOf(fewer);
                droppedByGone += subscription.dropped();
            }
        });
    }

    /** For daemon.status: the newest id, subscribers now, and events dropped for slow subscribers. */
    public Map<String, Object> describe() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("lastId", published);
        List<Subscription> now = subscriptions;
        long dropped = droppedByGone;
        for (Subscription subscription : now) {
            dropped += subscription.dropped();
        }
        status.put("subscribers", now.size());
        status.put("dropped", dropped);
        status.put("journalEvents", journal.size());
        status.put("journalOldestId", journal.oldestId());
        return status;
    }

    private void execute(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("bug: the event hub failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping: events after close are not published
        }
    }

    /** Publishes what is queued, forces the journal to disk, and stops the hub's threads. */
    @Override
    public void close() {
        try {
            thread.submit(journal::close).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("the event journal did not close cleanly: {}", e.toString());
        }
        thread.shutdownNow();
        replay.shutdownNow();
    }

    private static Thread daemonThread(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
