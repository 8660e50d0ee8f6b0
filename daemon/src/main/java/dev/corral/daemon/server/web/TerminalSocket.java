package dev.corral.daemon.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Attachment;
import dev.corral.daemon.session.Session;
import dev.corral.protocol.Stream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
        channel.pipeline().addLast("stream-to-websocket", new StreamToWebSocket());
        terminal.attachment = session.attach(channel, readOnly, replay);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof BinaryWebSocketFrame binary) {
                if (!attachment.readOnly()) {
                    attachment.session().write(ByteBufUtil.getBytes(binary.content()));
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
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
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

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (attachment != null) {
            attachment.detach("browser closed its terminal");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** The session's stream-mode messages (one per buffer) as WebSocket frames. */
    static final class StreamToWebSocket extends MessageToMessageEncoder<ByteBuf> {
        @Override
        protected void encode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
            while (frame.readableBytes() >= Stream.HEADER_BYTES) {
                byte type = frame.readByte();
                int length = Math.min(frame.readInt(), frame.readableBytes());
                ByteBuf payload = frame.readRetainedSlice(length);
                switch (type) {
                    case Stream.DATA -> out.add(new BinaryWebSocketFrame(payload));
                    case Stream.EXIT -> {
                        String exit = payload.toString(StandardCharsets.UTF_8);
                        payload.release();
                        // {"exitCode":N} from the session, told the browser as {"type":"exit","exitCode":N}.
                        out.add(new TextWebSocketFrame("{\"type\":\"exit\"," + exit.substring(exit.indexOf('{') + 1)));
                        out.add(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE, "session ended"));
                    }
                    case Stream.DETACH -> {
                        String reason = payload.toString(StandardCharsets.UTF_8);
                        payload.release();
                        out.add(new TextWebSocketFrame("{\"type\":\"detach\",\"reason\":" + jsonString(reason) + "}"));
                        out.add(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE, "detached"));
                    }
                    default -> payload.release();
                }
            }
        }

        @Override
        public boolean acceptOutboundMessage(Object msg) throws Exception {
            return !(msg instanceof WebSocketFrame) && super.acceptOutboundMessage(msg);
        }

        private static String jsonString(String text) {
            StringBuilder quoted = new StringBuilder("\"");
            for (char c : text.toCharArray()) {
                if (c == '"' || c == '\\') {
                    quoted.append('\\').append(c);
                } else if (c < 0x20) {
                    quoted.append(String.format("\\u%04x", (int) c));
                } else {
                    quoted.append(c);
                }
            }
            return quoted.append('"').toString();
        }
    }
}
