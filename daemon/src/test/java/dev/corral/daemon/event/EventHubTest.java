package dev.corral.daemon.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.Events;
import dev.corral.protocol.Frames;
import dev.corral.protocol.Json;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub with real subscribers on a real Unix socket: the seam between replay and live events
 * while events keep coming, and a subscriber that stops reading beside one that keeps up.
 */
@Timeout(60)
class EventHubTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final BlockingQueue<Long> nextSince = new LinkedBlockingQueue<>();
    private EventHub hub;
    private EventLoopGroup group;
    private Channel server;
    private Path socket;

    @TempDir
    Path dir;

    private void start(int subscriberQueue) {
        hub = EventHub.open(dir.resolve("events"), mapper, new EventHub.Limits(100_000, Duration.ofDays(1), subscriberQueue));
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        socket = dir.resolve("hub.sock");
        server = new ServerBootstrap().group(group).channel(NioServerDomainSocketChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            private Subscription subscription;

                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                Long since = nextSince.poll();
                                subscription = hub.subscribe(dev.corral.daemon.server.ChannelSubscriber.framed(ctx.channel()), Set.copyOf(Events.CHANNELS), since < 0 ? null : since);
                            }

                            @Override
                            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                                if (ctx.channel().isWritable()) {
                                    subscription.drain();
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                subscription.closed();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                })
                .bind(UnixDomainSocketAddress.of(socket)).syncUninterruptibly().channel();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private SocketChannel subscribe(Long since) throws IOException {
        nextSince.add(since == null ? -1 : since);
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return channel;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> next(SocketChannel channel) throws IOException {
        byte[] frame = Frames.read(channel);
        if (frame == null) {
            throw new IOException("the hub closed the connection");
        }
        return (Map<String, Object>) ((Map<String, Object>) Json.read(frame)).get(Events.FRAME);
    }

    private void publish(int count, int padding) {
        for (int i = 0; i < count; i++) {
            hub.publish(i % 2 == 0 ? Events.SESSIONS : Events.AGENTS, Events.SESSION_ATTACHED,
                    Map.of("session", "s" + i, "padding", "x".repeat(padding)));
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("gave up waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    @Test
    void aResumeReplaysThenGoesLiveWithNoHoleAndNoRepeatWhileEventsKeepComing() throws Exception {
        start(1_000_000);
        Thread publisher = new Thread(() -> publish(1200, 0));
        publisher.start();
        await("some events", () -> hub.lastId() >= 400);
        try (SocketChannel subscriber = subscribe(500L)) {
            publisher.join();
            List<Long> ids = new ArrayList<>();
            long seq = 0;
            while (ids.isEmpty() || ids.get(ids.size() - 1) < 1200) {
                Map<String, Object> event = next(subscriber);
                assertEquals(++seq, ((Number) event.get(Events.SEQ)).longValue(), "seq counts every frame from 1");
                assertTrue(!Events.GAP.equals(event.get(Events.TYPE)), "no gap: " + event);
                ids.add(((Number) event.get(Events.ID)).longValue());
            }
            for (int i = 0; i < ids.size(); i++) {
                assertEquals(501 + i, ids.get(i), "ids after 500, each once, in order");
            }
        }
    }

    @Test
    void aSubscriberThatStopsReadingGetsAGapWhileAnotherKeepsUpAndPublishingNeverWaits() throws Exception {
        start(16);
        int total = 3000; // a multiple of the batch
        try (SocketChannel keeper = subscribe(null); SocketChannel laggard = subscribe(null)) {
            await("two subscribers", () -> ((Number) hub.describe().get("subscribers")).intValue() == 2);
            List<Long> kept = new ArrayList<>();
            Semaphore received = new Semaphore(0);
            // What the reader thread saw go wrong, rethrown on the test's thread (JUnit would lose it).
            java.util.concurrent.atomic.AtomicReference<Throwable> readerFailure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    while (kept.size() < total) {
                        Map<String, Object> event = next(keeper);
                        assertEquals(kept.size() + 1L, ((Number) event.get(Events.SEQ)).longValue());
                        kept.add(((Number) event.get(Events.ID)).longValue());
                        received.release();
                    }
                } catch (IOException | RuntimeException | AssertionError e) {
                    readerFailure.set(e);
                    received.release(total);
                }
            });
            reader.start();
            // Batches no larger than a queue, each read before the next: the keeper keeps up. The
            // laggard reads nothing, yet every event is published.
            for (int published = 0; published < total; published += 15) {
                publish(15, 1000);
                assertTrue(received.tryAcquire(15, 30, TimeUnit.SECONDS), "the keeper got the batch");
                if (readerFailure.get() != null) {
                    throw new AssertionError("the keeper's reader failed after " + kept.size() + " events", readerFailure.get());
                }
            }
            reader.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(reader.isAlive(), "the keeper's reader did not finish");
            if (readerFailure.get() != null) {
                throw new AssertionError("the keeper's reader failed", readerFailure.get());
            }
            assertEquals(total, kept.size(), "events the keeper got");
            for (int i = 0; i < total; i++) {
                assertEquals(i + 1L, kept.get(i), "the keeper got every event, in order, no gap");
            }

            long events = 0;
            long dropped = 0;
            int gaps = 0;
            long seq = 0;
            long lastId = 0;
            while (lastId < total) {
                Map<String, Object> event = next(laggard);
                assertEquals(++seq, ((Number) event.get(Events.SEQ)).longValue(), "seq has no holes, gaps included");
                @SuppressWarnings("unchecked")
                Map<String, Object> data = (Map<String, Object>) event.get(Events.DATA);
                if (Events.GAP.equals(event.get(Events.TYPE))) {
                    gaps++;
                    assertEquals(Events.REASON_SLOW, data.get(Events.REASON));
                    assertEquals(lastId + 1, ((Number) data.get(Events.FROM_ID)).longValue(), "the gap starts where events stopped");
                    dropped += ((Number) data.get(Events.DROPPED)).longValue();
                    lastId = ((Number) data.get(Events.TO_ID)).longValue();
                } else {
                    long id = ((Number) event.get(Events.ID)).longValue();
                    assertTrue(id > lastId, "ids only grow");
                    events++;
                    lastId = id;
                }
            }
            assertTrue(gaps >= 1, "the laggard was told it missed events");
            assertEquals(total, events + dropped, "every event was delivered or counted in a gap");
            assertEquals(dropped, ((Number) hub.describe().get("dropped")).longValue());
        }
    }
}
