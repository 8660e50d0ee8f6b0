package dev.corral.daemon.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.event.EventHub;
import dev.corral.daemon.event.Subscription;
import dev.corral.daemon.server.ChannelSubscriber;
import dev.corral.protocol.Events;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The event stream over {@code /ws/events}: the browser's first text frame is
 * {@code {"type":"subscribe","channels":[…],"since":ID}} (both optional), answered by
 * {@code {"type":"subscribed","channels":[…],"lastId":N}}; then each event (with its per-connection
 * {@code seq}, and {@code gap} when the browser fell behind) arrives as one text frame, exactly
 * the JSON of the socket protocol's event frames.
 */
final class EventSocket extends ChannelInboundHandlerAdapter {
    private static final WriteBufferWaterMark BROWSER_BUFFER = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final EventHub hub;
    private final ObjectMapper mapper;
    private Subscription subscription;

    private EventSocket(EventHub hub, ObjectMapper mapper) {
        this.hub = hub;
        this.mapper = mapper;
    }

    static void enter(Channel channel, ChannelHandlerContext replaced, EventHub hub, ObjectMapper mapper) {
        channel.pipeline().replace(replaced.handler(), "events", new EventSocket(hub, mapper));
        channel.config().setWriteBufferWaterMark(BROWSER_BUFFER);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame text && subscription == null) {
                subscribe(ctx, text.text());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void subscribe(ChannelHandlerContext ctx, String text) {
        JsonNode request;
        try {
            request = mapper.readTree(text);
        } catch (IOException e) {
            request = null;
        }
        if (request == null || !"subscribe".equals(request.path("type").asText())) {
            error(ctx, "the first message must be {\"type\":\"subscribe\",\"channels\":[…],\"since\":ID}");
            return;
        }
        Set<String> channels = new LinkedHashSet<>();
        JsonNode named = request.get(Events.ARG_CHANNELS);
        if (named == null || named.isNull()) {
            channels.addAll(Events.CHANNELS);
        } else {
            for (JsonNode channel : named) {
                if (!Events.CHANNELS.contains(channel.asText())) {
                    error(ctx, "no event channel '" + channel.asText() + "'; channels are " + Events.CHANNELS);
                    return;
                }
                channels.add(channel.asText());
            }
        }
        if (channels.isEmpty()) {
            error(ctx, "channels must name at least one of " + Events.CHANNELS);
            return;
        }
        JsonNode sinceNode = request.get(Events.ARG_SINCE);
        Long since = sinceNode != null && sinceNode.canConvertToLong() && sinceNode.longValue() >= 0 ? sinceNode.longValue() : null;
        var answer = mapper.createObjectNode().put("type", "subscribed");
        answer.set(Events.ARG_CHANNELS, mapper.valueToTree(channels));
        answer.put(Events.LAST_ID, hub.lastId());
        ctx.writeAndFlush(new TextWebSocketFrame(answer.toString()));
        subscription = hub.subscribe(ChannelSubscriber.webSocket(ctx.channel()), channels, since);
    }

    private void error(ChannelHandlerContext ctx, String message) {
        ctx.writeAndFlush(new TextWebSocketFrame(mapper.createObjectNode().put("type", "error").put("message", message).toString()));
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
        WebGuard.frameRefused(ctx, "/ws/events", cause);
    }
}
