package dev.corral.daemon.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.Events;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One subscriber's bounded queue: order, drops at the bound, and the gap that reports them. */
class EventQueueTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private Event event(long id) {
        return Event.encode(mapper, id, Events.SESSIONS, Events.SESSION_SPAWNED, Instant.now(), Map.of());
    }

    private static List<Object> drain(EventQueue queue) {
        List<Object> out = new ArrayList<>();
        for (Item item; (item = queue.poll()) != null; ) {
            out.add(item instanceof Event event ? (Object) event.id() : item);
        }
        return out;
    }

    @Test
    void belowTheBoundEverythingComesInOrderAndTheWriterIsWokenOnce() {
        EventQueue queue = new EventQueue(4);
        assertTrue(queue.offer(event(1)), "the first event wakes the writer");
        assertFalse(queue.offer(event(2)), "later ones find it awake");
        assertFalse(queue.offer(event(3)));
        assertEquals(List.of(1L, 2L, 3L), drain(queue));
        assertTrue(queue.offer(event(4)), "after the queue ran dry the writer sleeps and is woken again");
        assertEquals(0, queue.droppedTotal());
    }

    @Test
    void atTheBoundEventsAreDroppedAndOneGapSaysHowManyAndWhichBeforeTheNextEvent() {
        EventQueue queue = new EventQueue(3);
        for (long id = 1; id <= 10; id++) {
            queue.offer(event(id));
        }
        assertEquals(7, queue.droppedTotal());
        assertEquals(1L, queue.poll() instanceof Event e ? e.id() : -1);
        queue.offer(event(11)); // room again: the gap goes in first, then the event
        queue.offer(event(12)); // full again
        assertEquals(List.of(2L, 3L, new Gap(7, 4, 10, Events.REASON_SLOW), 11L,
                new Gap(1, 12, 12, Events.REASON_SLOW)), drain(queue));
        assertEquals(8, queue.droppedTotal());
    }

    @Test
    void aGapIsDeliveredWhenTheQueueRunsDryEvenIfNoMoreEventsCome() {
        EventQueue queue = new EventQueue(1);
        queue.offer(event(1));
        queue.offer(event(2));
        queue.offer(event(3));
        assertEquals(List.of(1L, new Gap(2, 2, 3, Events.REASON_SLOW)), drain(queue));
        assertNull(queue.poll());
        assertTrue(queue.offer(event(4)));
        assertEquals(List.of(4L), drain(queue), "after a gap, events continue");
    }
}
