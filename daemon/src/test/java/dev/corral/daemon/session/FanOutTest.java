package dev.corral.daemon.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.daemon.screen.Screen;
import dev.corral.daemon.terminal.Chunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fan-out's pacing: the fastest client paces the program, a stalled one is let go, one too far behind is dropped. */
@Timeout(30)
class FanOutTest {
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Screen screen = new Screen(80, 24);
    private final FanOut fanOut = new FanOut(new ReplayBuffer(1024), screen, timers);
    private final AtomicInteger resumed = new AtomicInteger();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    /** A client whose writability the test sets. */
    private static final class Client implements AttachedClient {
        volatile boolean writable = true;
        volatile long queued;
        volatile boolean closed;
        final List<String> received = new ArrayList<>();

        @Override
        public void output(Chunk chunk) {
            received.add(new String(((Chunk.Copied) chunk).bytes(), StandardCharsets.UTF_8));
        }

        @Override
        public long queuedBytes() {
            return queued;
        }

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public boolean open() {
            return !closed;
        }

        @Override
        public void exited(int exitCode) {}

        @Override
        public void close() {
            closed = true;
        }
    }

    private Attachment attach(Client client) {
        Attachment attachment = new Attachment(null, client, false, 1000);
        assertTrue(fanOut.attach(attachment, FanOut.Redraw.NONE, 0));
        return attachment;
    }

    private boolean output(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return fanOut.output(new Chunk.Copied(bytes), bytes, bytes.length);
    }

    @Test
    void outputReachesReplayScreenAndEveryClient() {
        Client one = new Client();
        Client two = new Client();
        attach(one);
        attach(two);
        assertTrue(output("hello"), "reading stopped although both clients keep up");
        assertEquals(List.of("hello"), one.received);
        assertEquals(List.of("hello"), two.received);
        assertEquals("hello", new String(fanOut.replay(100), StandardCharsets.UTF_8));
        assertTrue(screen.text().startsWith("hello"), screen.text());
    }

    @Test
    void theFastestClientPacesTheProgramAndItsWritabilityResumesIt() {
        fanOut.onResume(resumed::incrementAndGet);
        Client slow = new Client();
        Client fast = new Client();
        attach(slow);
        Attachment fastOne = attach(fast);
        slow.writable = false;
        assertTrue(output("a"), "one client keeps up: reading goes on");
        fast.writable = false;
        assertFalse(output("b"), "every client is behind: reading must stop");
        assertEquals(0, resumed.get());
        fast.writable = true;
        fanOut.clientWritable(fastOne);
        assertEquals(1, resumed.get(), "the client caught up: reading must resume once");
    }

    @Test
    void aClientBehindForTheStallTimeIsNoLongerWaitedFor() throws InterruptedException {
        CountDownLatch resumedLatch = new CountDownLatch(1);
        fanOut.onResume(resumedLatch::countDown);
        Client stalled = new Client();
        attach(stalled);
        stalled.writable = false;
        assertFalse(output("x"));
        long start = System.nanoTime();
        assertTrue(resumedLatch.await(10, TimeUnit.SECONDS), "a stalled client holds the program");
        long waited = System.nanoTime() - start;
        assertTrue(waited >= FanOut.STALL_NANOS / 2, "resumed before the stall time: " + waited + " ns");
        assertTrue(output("y"), "the stalled client is still waited for");
    }

    @Test
    void aClientTooFarBehindIsDroppedAndClosed() {
        Client behind = new Client();
        attach(behind);
        behind.queued = 1001;
        assertTrue(output("z"));
        assertTrue(behind.closed, "the client over its bound was not closed");
        assertEquals(0, fanOut.attached());
    }

    @Test
    void noClientAttachesAfterTheEnd() {
        fanOut.close();
        assertFalse(fanOut.attach(new Attachment(null, new Client(), false, 1000), FanOut.Redraw.NONE, 0));
    }
}
