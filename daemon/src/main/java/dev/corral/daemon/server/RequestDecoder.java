package dev.corral.daemon.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.daemon.command.Request;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Json;
import dev.corral.protocol.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.util.List;

/**
 * Turns a frame payload into a {@link Request}. A payload that is not JSON, not an object, or
 * lacks an id or op is answered with an error frame right here; the connection stays usable.
 */
final class RequestDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final ObjectMapper mapper;

    RequestDecoder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf payload, List<Object> out) {
        JsonNode tree;
        try {
            // Strict UTF-8 first: Jackson alone would take a BOM, UTF-16/32 and some malformed forms.
            tree = mapper.readTree(Json.strictUtf8(ByteBufUtil.getBytes(payload)));
        } catch (JacksonException e) {
            refuse(ctx, null, ErrorCode.BAD_JSON, "frame payload is not valid UTF-8 JSON: " + e.getOriginalMessage());
            return;
        } catch (IOException e) {
            refuse(ctx, null, ErrorCode.BAD_JSON, "frame payload is " + e.getMessage() + "; send UTF-8 JSON");
            return;
        }
        if (tree == null || tree.isMissingNode()) {
            refuse(ctx, null, ErrorCode.BAD_JSON, "frame payload is empty; send one JSON object per frame");
            return;
        }
        if (!tree.isObject()) {
            refuse(ctx, null, ErrorCode.BAD_REQUEST,
                    "a request must be a JSON object, got " + tree.getNodeType().name().toLowerCase());
            return;
        }
        JsonNode id = tree.get(Message.ID);
        if (id == null || !(id.isIntegralNumber() || id.isTextual())) {
            refuse(ctx, null, ErrorCode.BAD_REQUEST,
                    "a request needs an \"id\" (integer or string) that the response echoes");
            return;
        }
        JsonNode op = tree.get(Message.OP);
        if (op == null || !op.isTextual()) {
            refuse(ctx, id, ErrorCode.BAD_REQUEST, "a request needs an \"op\" string naming the operation");
            return;
        }
        JsonNode args = tree.get(Message.ARGS);
        if (args != null && !args.isObject() && !args.isNull()) {
            refuse(ctx, id, ErrorCode.BAD_REQUEST, "\"args\" must be a JSON object when present");
            return;
        }
        out.add(new Request(id, op.asText(), args instanceof ObjectNode object ? object : null));
    }

    private void refuse(ChannelHandlerContext ctx, JsonNode id, ErrorCode code, String message) {
        ctx.writeAndFlush(Responses.error(mapper, id, code, message));
    }
}
