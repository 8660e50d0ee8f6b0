package dev.corral.daemon.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.ErrorCode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a new connection only if its peer runs as the daemon's own user and the connection
 * limit is not reached; otherwise answers with an error frame and closes. Admitted connections
 * join the group the daemon closes on shutdown. Refusals are logged at most once a minute per
 * user (then one line with how many more there were), so a peer that keeps knocking cannot flood
 * the log.
 */
@ChannelHandler.Sharable
final class ConnectionGate extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

    private final Transport transport;
    private final ObjectMapper mapper;
    private final ChannelGroup connections;
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    /** Per refused user (or "busy" for the cap), the refusals not logged in the current minute. */
    private final Map<String, AtomicInteger> quietRefusals = new ConcurrentHashMap<>();
    /** Users tracked at once; past it, refusals are logged without a per-user window. */
    private static final int MAX_TRACKED = 1024;
    static final long REFUSAL_LOG_WINDOW_SECONDS = 60;

    ConnectionGate(Transport transport, ObjectMapper mapper, ChannelGroup connections, int maxConnections) {
        this.transport = transport;
        this.mapper = mapper;
        this.connections = connections;
        this.maxConnections = maxConnections;
    }

    int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        Transport.Peer peer;
        try {
            peer = transport.peer(ctx.channel());
        } catch (Exception e) {
            log.warn("refused a connection whose peer credentials could not be read: {}", e.toString());
            ctx.close();
            return;
        }
        if (!peer.sameUser()) {
            logRefusal(ctx, peer.user(), "refused a connection from " + peer.description()
                    + ": only the daemon's own user may connect");
            refuse(ctx, ErrorCode.PEER_REFUSED, "corrald serves only its own user; connect as that user");
            return;
        }
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            logRefusal(ctx, "busy", "refused a connection from " + peer.description() + ": " + maxConnections
                    + " connections already open");
            refuse(ctx, ErrorCode.BUSY, "corrald has " + maxConnections + " connections open; try again later");
            return;
        }
        ctx.channel().attr(Dispatcher.PEER).set(peer.description());
        ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
        connections.add(ctx.channel());
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    /** The first refusal of a minute is logged; the rest are counted and summed up when the minute ends. */
    private void logRefusal(ChannelHandlerContext ctx, String key, String line) {
        AtomicInteger quiet = quietRefusals.get(key);
        if (quiet != null) {
            quiet.incrementAndGet();
            return;
        }
        log.warn(line);
        if (quietRefusals.size() >= MAX_TRACKED || quietRefusals.putIfAbsent(key, new AtomicInteger()) != null) {
            return;
        }
        ctx.channel().eventLoop().parent().schedule(() -> {
            AtomicInteger more = quietRefusals.remove(key);
            if (more != null && more.get() > 0) {
                log.warn("refused {} more connections ({}) in the last {} s", more.get(),
                        key.equals("busy") ? "connection cap reached" : "from " + key, REFUSAL_LOG_WINDOW_SECONDS);
            }
        }, REFUSAL_LOG_WINDOW_SECONDS, TimeUnit.SECONDS);
    }

    private void refuse(ChannelHandlerContext ctx, ErrorCode code, String message) {
        ctx.channel().config().setAutoRead(false);
        ctx.channel().writeAndFlush(Responses.error(mapper, null, code, message))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
