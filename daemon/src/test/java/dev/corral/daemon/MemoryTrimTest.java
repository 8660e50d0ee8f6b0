package dev.corral.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MemoryTrimTest {
    @Test
    void collectsOnceAfterAFallHasSettled() {
        AtomicInteger sessions = new AtomicInteger();
        MemoryTrim trim = new MemoryTrim(sessions::get);
        for (int n : new int[] {0, 100, 500, 1000}) {
            sessions.set(n);
            assertFalse(trim.due(), "growing: never");
        }
        sessions.set(400);
        assertFalse(trim.due(), "still falling: not yet");
        sessions.set(0);
        assertFalse(trim.due(), "still falling: not yet");
        assertTrue(trim.due(), "fell from 1000 to 0 and stayed");
        assertFalse(trim.due(), "once per fall");
        assertFalse(trim.due(), "once per fall");
    }

    @Test
    void aSmallFallIsNotWorthAFullCollection() {
        AtomicInteger sessions = new AtomicInteger(40);
        MemoryTrim trim = new MemoryTrim(sessions::get);
        assertFalse(trim.due());
        sessions.set(35);
        assertFalse(trim.due());
        assertFalse(trim.due(), "5 of 40 is below both bounds");
        sessions.set(30);
        assertFalse(trim.due());
        assertTrue(trim.due(), "10 of 40: at least 8 and a quarter");
        assertEquals(30, sessions.get());
    }
}
