package dev.corral.daemon.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.daemon.command.Caller;
import dev.corral.daemon.command.Operation;
import dev.corral.daemon.command.OperationTable;
import dev.corral.daemon.command.Reply;
import dev.corral.daemon.command.Request;
import dev.corral.daemon.event.EventHub;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web view's routes, one connection each: the page and its assets, the REST API (each route
 * one of the socket protocol's operations, run through the same operation table, with the same
 * arguments and error codes), and, once a WebSocket handshake is done, the terminal or event
 * stream it asked for. The routes are listed in PROTOCOL.md, "The web view".
 */
final class WebApi extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(WebApi.class);
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    private static final Map<String, String> ASSETS = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css",
            "/vendor/xterm.js", "vendor/xterm.js", "/vendor/xterm.css", "vendor/xterm.css",
            "/vendor/addon-fit.js", "vendor/addon-fit.js", "/vendor/LICENSE", "vendor/LICENSE");

    private final OperationTable operations;
    private final Executor workers;
    private final SessionRegistry sessions;
    private final EventHub hub;
    private final ObjectMapper mapper;
    private final WebToken token;

    WebApi(OperationTable operations, Executor workers, SessionRegistry sessions, EventHub hub, ObjectMapper mapper,
            WebToken token) {
        this.operations = operations;
        this.workers = workers;
        this.sessions = sessions;
        this.hub = hub;
        this.mapper = mapper;
        this.token = token;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        HttpMethod method = request.method();
        if (path.startsWith("/api/") || path.equals("/api")) {
            api(ctx, request, uri);
        } else if (method.equals(HttpMethod.GET) && ASSETS.containsKey(path)) {
            asset(ctx, request, ASSETS.get(path));
        } else {
            send(ctx, request, HttpResponseStatus.NOT_FOUND, error(ErrorCode.BAD_REQUEST, "no such page: " + path));
        }
    }

    private void api(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        List<String> parts = List.of(uri.path().substring(1).split("/"));
        HttpMethod method = request.method();
        ObjectNode args = mapper.createObjectNode();
        String op = null;
        if (parts.size() == 2 && parts.get(1).equals("login") && method.equals(HttpMethod.POST)) {
            // The guard checked the header's token: the page's WebSockets carry it as this cookie from now on.
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
            DefaultCookie cookie = new DefaultCookie(WebGuard.COOKIE, token.value());
            cookie.setHttpOnly(true);
            cookie.setPath("/");
            cookie.setSameSite(io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite.Strict);
            response.headers().set(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(cookie));
            finish(ctx, request, response);
            return;
        }
        if (parts.size() == 2 && parts.get(1).equals("status") && method.equals(HttpMethod.GET)) {
            op = Op.DAEMON_STATUS;
        } else if (parts.size() >= 2 && parts.get(1).equals("sessions")) {
            ObjectNode body = body(ctx, request);
            if (body == null) {
                return;
            }
            if (parts.size() == 2 && method.equals(HttpMethod.GET)) {
                op = Op.LIST;
                args.put("all", flag(uri, "all"));
            } else if (parts.size() == 2 && method.equals(HttpMethod.POST)) {
                op = Op.SPAWN;
                args = body;
            } else if (parts.size() >= 3) {
                args = body;
                args.put("name", URLDecoder.decode(parts.get(2), StandardCharsets.UTF_8));
                String action = parts.size() == 4 ? parts.get(3) : "";
                if (parts.size() == 3 && method.equals(HttpMethod.GET)) {
                    op = Op.SHOW;
                } else if (parts.size() == 3 && method.equals(HttpMethod.DELETE)) {
                    op = Op.REMOVE;
                    args.put("force", flag(uri, "force"));
                } else if (action.equals("kill") && method.equals(HttpMethod.POST)) {
                    op = Op.KILL;
                } else if (action.equals("send") && method.equals(HttpMethod.POST)) {
                    op = Op.SEND;
                } else if (action.equals("screen") && method.equals(HttpMethod.GET)) {
                    op = operations.find("session.screen").isPresent() ? "session.screen" : Op.TAIL;
                } else if (action.equals("tail") && method.equals(HttpMethod.GET)) {
                    op = Op.TAIL;
                }
            }
        }
        if (op == null) {
            send(ctx, request, HttpResponseStatus.NOT_FOUND, error(ErrorCode.UNKNOWN_OP, "no such route: " + method + " "
                    + uri.path() + " (the routes are in PROTOCOL.md, 'The web view')"));
            return;
        }
        run(ctx, request, op, args);
    }

    private ObjectNode body(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.content().readableBytes() == 0) {
            return mapper.createObjectNode();
        }
        try {
            JsonNode body = mapper.readTree(request.content().toString(StandardCharsets.UTF_8));
            if (body instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // answered below
        }
        send(ctx, request, HttpResponseStatus.BAD_REQUEST, error(ErrorCode.BAD_JSON, "the request's body must be a JSON object"));
        return null;
    }

    private static boolean flag(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values != null && !values.isEmpty() && (values.get(0).equals("1") || values.get(0).equals("true"));
    }

    /** One operation of the table, as the socket protocol would run it: inline, or on a worker. */
    private void run(ChannelHandlerContext ctx, FullHttpRequest request, String op, ObjectNode args) {
        Operation operation = operations.find(op).orElseThrow();
        Request call = new Request(IntNode.valueOf(1), op, args);
        Caller caller = new Caller("web " + ctx.channel().remoteAddress());
        request.retain();
        if (operation.execution() == Operation.Execution.INLINE) {
            answer(ctx, request, guarded(operation, call, caller));
            return;
        }
        try {
            CompletableFuture.supplyAsync(() -> guarded(operation, call, caller), workers)
                    .thenAccept(reply -> ctx.executor().execute(() -> answer(ctx, request, reply)));
        } catch (RejectedExecutionException e) {
            answer(ctx, request, Reply.error(ErrorCode.BUSY, "corrald has too much work queued; try again shortly"));
        }
    }

    private static Reply guarded(Operation operation, Request call, Caller caller) {
        return dev.corral.daemon.server.Guarded.run(operation, call, caller);
    }

    private void answer(ChannelHandlerContext ctx, FullHttpRequest request, Reply reply) {
        if (reply instanceof Reply.Later later) {
            later.stage().whenComplete((value, failure) -> ctx.executor().execute(() -> answer(ctx, request,
                    failure == null ? value : Reply.error(ErrorCode.INTERNAL, "corrald failed: " + failure))));
            return;
        }
        try {
            if (reply instanceof Reply.Ok ok) {
                ObjectNode body = mapper.createObjectNode();
                body.set("result", mapper.valueToTree(ok.result()));
                send(ctx, request, HttpResponseStatus.OK, body);
            } else if (reply instanceof Reply.Err err) {
                send(ctx, request, status(err.code()), error(err.code(), err.message()));
            } else {
                send(ctx, request, HttpResponseStatus.BAD_REQUEST, error(ErrorCode.BAD_REQUEST, "not an operation of the web view"));
            }
        } finally {
            request.release();
        }
    }

    static HttpResponseStatus status(ErrorCode code) {
        return switch (code) {
            case NO_SUCH_SESSION -> HttpResponseStatus.NOT_FOUND;
            case CONFLICT -> HttpResponseStatus.CONFLICT;
            case BUSY, UNAVAILABLE, SHUTTING_DOWN -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case FRAME_TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            case PEER_REFUSED -> HttpResponseStatus.FORBIDDEN;
            case MISSING_DEPENDENCY, BAD_CONFIG -> HttpResponseStatus.UNPROCESSABLE_ENTITY;
            case INTERNAL -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
            default -> HttpResponseStatus.BAD_REQUEST;
        };
    }

    private ObjectNode error(ErrorCode code, String message) {
        ObjectNode body = mapper.createObjectNode();
        body.putObject("error").put("code", code.name()).put("message", message);
        return body;
    }

    private void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, ObjectNode body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body.toString() + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        finish(ctx, request, response);
    }

    private void asset(ChannelHandlerContext ctx, FullHttpRequest request, String name) {
        byte[] bytes;
        try (InputStream in = WebApi.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                send(ctx, request, HttpResponseStatus.NOT_FOUND, error(ErrorCode.MISSING_DEPENDENCY, "the daemon's jar lacks web/"
                        + name + (name.startsWith("vendor/") ? " (xterm.js is vendored from npm at build time: build with npm on PATH)" : "")));
                return;
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            send(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, error(ErrorCode.INTERNAL, e.getMessage()));
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(bytes));
        String type = name.endsWith(".html") ? "text/html; charset=utf-8" : name.endsWith(".js") ? "text/javascript; charset=utf-8"
                : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/plain; charset=utf-8";
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        finish(ctx, request, response);
    }

    private static void finish(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        response.headers().set("Content-Security-Policy", CSP)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The WebSocket handshake is done: the connection becomes the terminal or event stream its path names. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (!(event instanceof WebSocketServerProtocolHandler.HandshakeComplete done)) {
            super.userEventTriggered(ctx, event);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(done.requestUri());
        String path = uri.path();
        if (path.equals("/ws/events")) {
            EventSocket.enter(ctx.channel(), ctx, hub, mapper);
            return;
        }
        if (path.startsWith("/ws/sessions/")) {
            String name = URLDecoder.decode(path.substring("/ws/sessions/".length()), StandardCharsets.UTF_8);
            Optional<Session> session = sessions.find(name);
            if (session.isPresent()) {
                TerminalSocket.enter(ctx.channel(), ctx, session.get(), flag(uri, "readOnly"), !flag(uri, "noReplay"), mapper);
                return;
            }
            ctx.writeAndFlush(new CloseWebSocketFrame(4404, "no session named " + name))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(new CloseWebSocketFrame(4404, "no such WebSocket: " + path)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("web connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
