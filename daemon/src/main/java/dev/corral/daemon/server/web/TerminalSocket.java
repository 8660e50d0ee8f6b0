package dev.corral.daemon.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.server.ChannelClient;
import dev.corral.daemon.session.Attachment;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.terminal.Buffers;
import dev.corral.daemon.terminal.Chunk;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A browser's terminal on a session, over {@code /ws/sessions/NAME}: the session writes its
 * stream-mode messages to this connection as to any attached client, and they leave as WebSocket
 * frames (terminal bytes as binary frames; exit and detach as JSON text frames, then a close).
 * Binary frames from the browser are keystrokes; text frames are JSON ({@code resize},
 * {@code detach}). The session paces itself to its fastest client and drops one that stays
 * behind past its bound, so a slow browser never slows the session. A closed tab is a detach.
 */
final class TerminalSocket extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TerminalSocket.class);
    /** The same bounds as a spawn's size. */
    static final int MAX_SIDE = 1000;

    private final ObjectMapper mapper;
    private Attachment attachment;

    private TerminalSocket(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Turns a connection whose WebSocket handshake is done into a terminal on {@code session}; on its event loop. */
    static void enter(Channel channel, ChannelHandlerContext replaced, Session session, boolean readOnly, boolean replay,
            ObjectMapper mapper) {
        TerminalSocket terminal = new TerminalSocket(mapper);
        channel.pipeline().replace(replaced.handler(), "terminal", terminal);
        terminal.attachment = session.attach(new Browser(channel), readOnly, replay);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof BinaryWebSocketFrame binary) {
                if (!attachment.readOnly()) {
                    attachment.session().write(binary.content().nioBuffer());
                }
            } else if (msg instanceof TextWebSocketFrame text) {
                control(ctx, text.text());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void control(ChannelHandlerContext ctx, String text) {
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (IOException e) {
            refuse(ctx, "a text frame must be a JSON object such as {\"type\":\"resize\",\"cols\":80,\"rows\":24}");
            return;
        }
        switch (message.path("type").asText("")) {
            case "resize" -> {
                int cols = message.path("cols").asInt(0);
                int rows = message.path("rows").asInt(0);
                if (cols < 1 || rows < 1 || cols > MAX_SIDE || rows > MAX_SIDE) {
                    refuse(ctx, "resize needs cols and rows from 1 to " + MAX_SIDE);
                } else if (!attachment.readOnly()) {
                    attachment.session().resize(cols, rows);
                }
            }
            case "detach" -> {
                attachment.detach("browser detached");
                ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"detach\",\"reason\":\"detached\"}"));
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE, "detached"))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            default -> refuse(ctx, "unknown message type; the browser may send resize and detach");
        }
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        log.debug("web terminal of {}: {}", attachment.session().name(), why);
        ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"error\",\"message\":" + quote(why) + "}"));
    }

    private String quote(String text) {
        try {
            return mapper.writeValueAsString(text);
        } catch (IOException e) {
            return "\"\"";
        }
    }

    /** The browser's connection drained under its low mark: the session may read its program again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && attachment != null) {
            attachment.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (attachment != null) {
            attachment.detach("browser closed its terminal");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        WebGuard.frameRefused(ctx, attachment == null ? "a terminal" : "the terminal of " + attachment.session().name(), cause);
    }

    /** The browser as the session sees it: output as binary frames, the exit as a text frame, then a close. */
    private static final class Browser extends ChannelClient {
        Browser(Channel channel) {
            super(channel);
        }

        @Override
        public void output(Chunk chunk) {
            channel.writeAndFlush(new BinaryWebSocketFrame(Buffers.retained(chunk)), channel.voidPromise());
        }

        @Override
        public void exited(int exitCode) {
            channel.write(new TextWebSocketFrame("{\"type\":\"exit\",\"exitCode\":" + exitCode + "}"));
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE, "session ended"))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
