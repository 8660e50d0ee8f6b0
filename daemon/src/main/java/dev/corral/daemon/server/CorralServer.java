package dev.corral.daemon.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.command.OperationTable;
import dev.corral.protocol.Frames;
import dev.corral.protocol.Json;
import dev.corral.protocol.Message;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty server on the daemon's Unix socket. Pipeline per connection, by role:
 * gate (peer uid, connection cap) → frame encoder → frame decoder → request decoder → dispatcher.
 */
public final class CorralServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CorralServer.class);

    /** Limits a peer can run into; each is documented in PROTOCOL.md. */
    public record Limits(int maxConnections, long frameStallMillis, int writeBufferHighBytes, long helloTimeoutMillis) {
        public static Limits defaults() {
            return new Limits(512, 10_000, 1024 * 1024, Protocol.HELLO_TIMEOUT_MILLIS);
        }
    }

    private final Transport transport;
    private final EventLoopGroup group;
    private final ChannelGroup connections;
    private final ConnectionGate gate;
    private Channel serverChannel;

    private CorralServer(Transport transport, EventLoopGroup group, ChannelGroup connections, ConnectionGate gate) {
        this.transport = transport;
        this.group = group;
        this.connections = connections;
        this.gate = gate;
    }

    public static CorralServer bind(Path socket, OperationTable operations, Executor workers,
                                    ObjectMapper mapper, Limits limits) throws IOException {
        return bind(socket, OptionalInt.empty(), operations, workers, mapper, limits);
    }

    /**
     * With {@code inheritedFd}, serves the listening socket a service manager bound and passed
     * (systemd socket activation) instead of binding {@code socket}; that needs the epoll transport.
     */
    public static CorralServer bind(Path socket, OptionalInt inheritedFd, OperationTable operations, Executor workers,
                                    ObjectMapper mapper, Limits limits) throws IOException {
        Transport transport = Transport.best();
        if (inheritedFd.isPresent() && transport != Transport.EPOLL) {
            throw new IOException("cannot serve the socket the service manager passed (fd " + inheritedFd.getAsInt()
                    + "): socket activation needs Netty's epoll transport, which did not load here");
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2,
                new DefaultThreadFactory("corral-io", true), transport.ioHandlerFactory());
        try {
            ChannelGroup connections = new DefaultChannelGroup("corral-connections", GlobalEventExecutor.INSTANCE);
            ConnectionGate gate = new ConnectionGate(transport, mapper, connections, limits.maxConnections());
            CorralServer server = new CorralServer(transport, group, connections, gate);
            FrameEncoder encoder = new FrameEncoder(mapper);
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(limits.writeBufferHighBytes() / 2, limits.writeBufferHighBytes()))
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast("gate", gate)
                                    .addLast("frame-encoder", encoder)
                                    .addLast("frame-decoder", new FrameDecoder(mapper, limits.frameStallMillis()))
                                    .addLast("request-decoder", new RequestDecoder(mapper))
                                    .addLast("dispatcher", new Dispatcher(operations, workers, mapper, limits.helloTimeoutMillis()));
                        }
                    });
            if (inheritedFd.isPresent()) {
                // (fd, true): the descriptor is already bound and listening; without `true` it is never accepted on.
                int fd = inheritedFd.getAsInt();
                server.serverChannel = bootstrap.channelFactory(() -> new EpollServerDomainSocketChannel(fd, true))
                        .register().syncUninterruptibly().channel();
            } else {
                server.serverChannel = bootstrap.channel(transport.serverChannel())
                        .bind(transport.address(socket)).syncUninterruptibly().channel();
            }
            server.connections.add(server.serverChannel);
            log.info("listening on {} ({}{})", socket, transport.name().toLowerCase(),
                    inheritedFd.isPresent() ? ", socket passed by the service manager as fd " + inheritedFd.getAsInt() : "");
            return server;
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("could not listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs a hello and a ping through a connection's pipeline in memory, before the socket is bound:
     * the first user's request then does not pay for the request path's first use (class
     * initialisation and interpreted code, 100–250 ms here; bench/startup.sh's daemon-start row).
     */
    public static void rehearse(OperationTable operations, Executor workers, ObjectMapper mapper, Limits limits) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(mapper),
                new FrameDecoder(mapper, limits.frameStallMillis()), new RequestDecoder(mapper),
                new Dispatcher(operations, workers, mapper, limits.helloTimeoutMillis()));
        try {
            channel.attr(Dispatcher.PEER).set("corrald's own rehearsal");
            for (Map<String, Object> request : List.of(Message.hello(1, "corrald-rehearsal"), Message.request(2, Op.PING, null))) {
                channel.writeInbound(Unpooled.wrappedBuffer(Frames.encode(Json.write(request))));
            }
            channel.runPendingTasks();
        } catch (RuntimeException e) {
            log.debug("the request path's rehearsal failed (the first request will be slower): {}", e.toString());
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** The daemon's event loops, which the web view shares. */
    public EventLoopGroup eventLoops() {
        return group;
    }

    /** The TCP listener type that runs on these event loops (the web view's). */
    public Class<? extends io.netty.channel.ServerChannel> tcpServerChannel() {
        return transport == Transport.EPOLL ? io.netty.channel.epoll.EpollServerSocketChannel.class
                : io.netty.channel.socket.nio.NioServerSocketChannel.class;
    }

    /** Whether every event loop runs a task within {@code timeout}: what the service watchdog vouches for. */
    public boolean responsive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (EventExecutor loop : group) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !loop.submit(() -> { }).awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    public String transportName() {
        return transport.name().toLowerCase();
    }

    public int connections() {
        return gate.open();
    }

    /** Stops accepting, flushes what each connection has queued, closes it, stops the event loops. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Channel channel : connections) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        connections.newCloseFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
