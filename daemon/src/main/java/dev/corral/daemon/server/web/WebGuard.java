package dev.corral.daemon.server.web;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.protocol.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web view's door: every request must name the listener itself in {@code Host} (no DNS
 * rebinding), come from the listener's own origin when it says one ({@code Origin}: no cross-site
 * requests or WebSockets), and, for the API and WebSockets, carry the token (header
 * {@code Authorization: Bearer TOKEN}, or the cookie the page gets from {@code POST /api/login}).
 * The static page itself holds no data and is served without the token, which it reads from the
 * URL's fragment (never sent to a server). Refusals are answered with a status and logged, at
 * most once a second with a count.
 */
@ChannelHandler.Sharable
final class WebGuard extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebGuard.class);
    static final String COOKIE = "corral_token";

    private final WebToken token;
    private volatile Set<String> hosts = Set.of();
    private volatile Set<String> origins = Set.of();
    private long lastLogNanos;
    private int unlogged;

    WebGuard(WebToken token) {
        this.token = token;
    }

    /** The listener's own names ({@code 127.0.0.1:PORT}, {@code localhost:PORT}): the only Host and Origin accepted. */
    void answerAs(Set<String> names) {
        this.origins = names.stream().map(host -> "http://" + host).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.hosts = Set.copyOf(names);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String refusal = refusal(request);
        if (refusal == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        HttpResponseStatus status = refusal.startsWith("token") ? HttpResponseStatus.UNAUTHORIZED : HttpResponseStatus.FORBIDDEN;
        refused(ctx.channel(), request, status, refusal);
        ReferenceCountUtil.release(msg);
        // The refusal quotes the peer's own Host or Origin: Jackson writes it, so it stays one JSON string.
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("error").put("code", ErrorCode.PEER_REFUSED.name()).put("message", refusal);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                // The connection closes after it: said, so that a keep-alive client does not send its next request into it.
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** Why this request may not pass, or null. */
    String refusal(FullHttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null || !hosts.contains(host.toLowerCase(java.util.Locale.ROOT))) {
            return "the Host header '" + host + "' is not this listener (" + String.join(", ", hosts) + ")";
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !origins.contains(origin.toLowerCase(java.util.Locale.ROOT))) {
            return "requests from origin '" + origin + "' are refused; only this listener's own page may call it";
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean guarded = path.startsWith("/api/") || path.startsWith("/ws/") || path.equals("/api") || path.equals("/ws");
        if (guarded && !token.matches(presented(request))) {
            return "token missing or wrong: open the URL that 'corral web' prints (it carries the token)";
        }
        return null;
    }

    private static String presented(FullHttpRequest request) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.startsWith("Bearer ")) {
            return authorization.substring("Bearer ".length()).strip();
        }
        String cookies = request.headers().get(HttpHeaderNames.COOKIE);
        if (cookies != null) {
            for (Cookie cookie : ServerCookieDecoder.STRICT.decode(cookies)) {
                if (COOKIE.equals(cookie.name())) {
                    return cookie.value();
                }
            }
        }
        return null;
    }

    /**
     * A request whose body is over the bound: the aggregator answers 413 before reading it (or
     * closes the connection), and the refusal is logged like the guard's own, at most once a second.
     */
    void oversized(Channel channel, HttpRequest request) {
        refused(channel, request, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "the body is over " + WebServer.MAX_BODY_BYTES + " bytes");
    }

    /**
     * A WebSocket frame Netty's decoder refused (over {@link WebServer#MAX_FRAME_BYTES}: close
     * 1009; malformed: 1002); the decoder has sent the close. Only a peer with the token gets this
     * far, and its connection ends here, so each is logged.
     */
    static void frameRefused(ChannelHandlerContext ctx, String what, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            log.warn("web view refused a WebSocket frame on {} from {}: {}", what, ctx.channel().remoteAddress(), cause.getMessage());
        } else {
            log.debug("web view connection {} from {} failed: {}", what, ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }

    private synchronized void refused(Channel channel, HttpRequest request, HttpResponseStatus status, String why) {
        long now = System.nanoTime();
        if (now - lastLogNanos < TimeUnit.SECONDS.toNanos(1)) {
            unlogged++;
            return;
        }
        log.warn("web view refused {} {} from {} ({}): {}{}", request.method(), new QueryStringDecoder(request.uri()).path(),
                channel.remoteAddress(), status.code(), why, unlogged == 0 ? "" : " (and " + unlogged + " more refusals)");
        lastLogNanos = now;
        unlogged = 0;
    }
}
