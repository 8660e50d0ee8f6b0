package dev.corral.daemon.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.protocol.ErrorCode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a new connection only if its peer runs as the daemon's own user and the connection
 * limit is not reached; otherwise answers with an error frame and closes. Admitted connections
 * join the group the daemon closes on shutdown.
 */
@ChannelHandler.Sharable
final class ConnectionGate extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

    private final Transport transport;
    private final ObjectMapper mapper;
    private final ChannelGroup connections;
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();

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
            log.warn("refused a connection from {}: only the daemon's own user may connect", peer.description());
            refuse(ctx, ErrorCode.PEER_REFUSED, "corrald serves only its own user; connect as that user");
            return;
        }
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            log.warn("refused a connection from {}: {} connections already open", peer.description(), maxConnections);
            refuse(ctx, ErrorCode.BUSY, "corrald has " + maxConnections + " connections open; try again later");
            return;
        }
        ctx.channel().attr(Dispatcher.PEER).set(peer.description());
        ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
        connections.add(ctx.channel());
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    private void refuse(ChannelHandlerContext ctx, ErrorCode code, String message) {
        ctx.channel().config().setAutoRead(false);
        ctx.channel().writeAndFlush(Responses.error(mapper, null, code, message))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
