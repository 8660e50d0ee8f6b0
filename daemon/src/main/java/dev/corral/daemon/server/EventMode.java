package dev.corral.daemon.server;

import dev.corral.daemon.Fatal;
import dev.corral.daemon.event.EventHub;
import dev.corral.daemon.event.Subscription;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import java.util.Set;

/**
 * A connection after a successful events.subscribe: the daemon pushes event frames and reads
 * nothing more from the client (what it sends is discarded) until the client closes.
 */
public final class EventMode {
    /**
     * Bytes written but not yet taken by a subscriber before the daemon stops writing to it; past
     * this its events wait in its bounded queue (see {@link Subscription}).
     */
    static final WriteBufferWaterMark SUBSCRIBER_BUFFER = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private EventMode() {}

    /** Swaps the request handlers for the subscriber's; must run on the channel's event loop. */
    public static void enter(Channel channel, EventHub hub, Set<String> channels, Long since) {
        ChannelPipeline pipeline = channel.pipeline();
        Subscriber subscriber = new Subscriber();
        pipeline.addAfter("frame-decoder", "subscriber", subscriber);
        pipeline.remove("dispatcher");
        pipeline.remove("request-decoder");
        pipeline.remove("frame-decoder");
        channel.config().setWriteBufferWaterMark(SUBSCRIBER_BUFFER);
        // A subscriber that stops sending is done: nothing it sends is read, so close at once.
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        channel.config().setAutoRead(true);
        subscriber.subscription = hub.subscribe(ChannelSubscriber.framed(channel), channels, since);
    }

    /** Drains the subscription when the connection can take more; forgets it when the connection ends. */
    private static final class Subscriber extends ChannelInboundHandlerAdapter {
        private Subscription subscription;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && subscription != null) {
                subscription.drain();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (subscription != null) {
                subscription.closed();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Fatal.haltIfError("a subscribed connection", cause);
            ctx.close();
        }
    }
}
