package dev.corral.daemon.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.command.OperationTable;
import dev.corral.daemon.event.EventHub;
import dev.corral.daemon.server.CorralServer;
import dev.corral.daemon.session.SessionRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web view's listener: HTTP and WebSocket on a loopback TCP port, on the daemon's own event
 * loops, off unless asked for ({@code corrald --web ADDR:PORT} or {@code corral web}). Pipeline:
 * HTTP codec → aggregator (1 MiB bodies) → {@link WebGuard} (Host, Origin, token) → WebSocket
 * handshake on {@code /ws/…} (64 KiB frames) → {@link WebApi}.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    static final int MAX_BODY_BYTES = 1024 * 1024;
    static final int MAX_FRAME_BYTES = 64 * 1024;

    private final Channel listener;
    private final WebToken token;
    private final InetSocketAddress bound;

    private WebServer(Channel listener, WebToken token) {
        this.listener = listener;
        this.token = token;
        this.bound = (InetSocketAddress) listener.localAddress();
    }

    /** Refused unless {@code address} is a loopback address or {@code insecureBind} says otherwise. */
    public static WebServer start(InetSocketAddress address, boolean insecureBind, CorralServer server, OperationTable operations,
            Executor workers, SessionRegistry sessions, EventHub hub, ObjectMapper mapper, Path tokenFile) throws IOException {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IOException("cannot resolve the web view's address " + address.getHostString());
        }
        if (!ip.isLoopbackAddress() && !insecureBind) {
            throw new IOException("the web view listens on loopback only; " + ip.getHostAddress() + " is not a loopback address"
                    + " (say --web-insecure-bind to listen there anyway: anyone who can reach it and has the token gets in)");
        }
        WebToken token = WebToken.create(tokenFile);
        Set<String> hosts = new LinkedHashSet<>();
        // Refuses every request until it knows the port it answers on.
        WebGuard guard = new WebGuard(token);
        Channel listener;
        try {
            listener = new ServerBootstrap()
                    .group(server.eventLoops())
                    .channel(server.tcpServerChannel())
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline()
                                    .addLast("http", new HttpServerCodec(8192, 16 * 1024, 64 * 1024))
                                    .addLast("aggregator", new BodyBound(guard))
                                    .addLast("guard", guard)
                                    .addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                            .websocketPath("/ws").checkStartsWith(true).maxFramePayloadLength(MAX_FRAME_BYTES)
                                            .handleCloseFrames(true).build()))
                                    .addLast("api", new WebApi(operations, workers, sessions, hub, mapper, token));
                        }
                    })
                    .bind(address)
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            throw new IOException("the web view cannot listen on " + address + ": " + e.getMessage(), e);
        }
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        String literal = ip.getHostAddress().contains(":") ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        hosts.add(literal + ":" + port);
        if (ip.isLoopbackAddress()) {
            hosts.add("localhost:" + port);
        }
        guard.answerAs(hosts);
        log.info("web view on http://{}:{}/ (open the URL that 'corral web' prints; it carries the token)", literal, port);
        return new WebServer(listener, token);
    }

    /**
     * The aggregator with its refusals logged: a body announced over the bound with
     * {@code Expect: 100-continue} (answered 413 before it is sent) or sent over it.
     */
    private static final class BodyBound extends HttpObjectAggregator {
        private final WebGuard guard;

        BodyBound(WebGuard guard) {
            super(MAX_BODY_BYTES);
            this.guard = guard;
        }

        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            Object response = super.newContinueResponse(start, maxContentLength, pipeline);
            if (response instanceof HttpResponse answer && answer.status().code() == 413 && start instanceof HttpRequest request) {
                guard.oversized(pipeline.channel(), request);
            }
            return response;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
            if (oversized instanceof HttpRequest request) {
                guard.oversized(ctx.channel(), request);
            }
            super.handleOversizedMessage(ctx, oversized);
        }
    }

    /** The page's address with the token in its fragment (which the browser never sends to a server). */
    public String url() {
        String host = bound.getAddress().getHostAddress();
        String literal = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + literal + ":" + bound.getPort() + "/#token=" + token.value();
    }

    public InetSocketAddress address() {
        return bound;
    }

    @Override
    public void close() {
        listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
