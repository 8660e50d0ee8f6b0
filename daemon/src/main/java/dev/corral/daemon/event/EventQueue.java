package dev.corral.daemon.event;

import dev.corral.protocol.Events;
import java.util.ArrayDeque;

/**
 * One subscriber's backlog of live events, bounded: at the bound an event is dropped and
 * counted, and the next time there is room (or the backlog empties) one {@link Gap} says how many
 * went and which. Gaps do not count toward the bound; each follows an event or ends the backlog,
 * so there are never more of them than events.
 *
 * <p>It also knows whether its subscriber needs waking: {@link #offer} answers true only when the
 * backlog was idle, so a burst of events wakes the writer once.
 */
final class EventQueue {
    private final int bound;
    private final ArrayDeque<Item> items = new ArrayDeque<>();
    private int events;
    private long dropped;
    private long firstDropped;
    private long lastDropped;
    private long droppedTotal;
    private boolean awake;

    EventQueue(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("a subscriber's queue holds at least one event");
        }
        this.bound = bound;
    }

    /** Queues an event, or drops it at the bound. True when the writer must be woken. */
    synchronized boolean offer(Event event) {
        if (events >= bound) {
            if (dropped++ == 0) {
                firstDropped = event.id();
            }
            lastDropped = event.id();
            droppedTotal++;
        } else {
            takeGap();
            items.add(event);
            events++;
        }
        if (awake) {
            return false;
        }
        awake = true;
        return true;
    }

    /**
     * The next event or gap; null when there is none, and then the writer counts as asleep until
     * the next {@link #offer} wakes it.
     */
    synchronized Item poll() {
        if (items.isEmpty()) {
            takeGap();
        }
        Item item = items.poll();
        if (item instanceof Event) {
            events--;
        } else if (item == null) {
            awake = false;
        }
        return item;
    }

    private void takeGap() {
        if (dropped > 0) {
            items.add(new Gap(dropped, firstDropped, lastDropped, Events.REASON_SLOW));
            dropped = 0;
        }
    }

    /** Events dropped so far, over the queue's life. */
    synchronized long droppedTotal() {
        return droppedTotal;
    }

    synchronized int size() {
        return events;
    }
}
