package dev.corral.daemon.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.daemon.command.Arguments;
import dev.corral.daemon.command.Caller;
import dev.corral.daemon.command.Operation;
import dev.corral.daemon.command.OperationTable;
import dev.corral.daemon.command.Reply;
import dev.corral.daemon.command.Request;
import dev.corral.daemon.Fatal;
import dev.corral.daemon.session.Refusal;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Message;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import dev.corral.protocol.args.Requests;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request of one connection to its operation and writes the reply. Holds the
 * connection's handshake state: nothing but a hello is served before a hello succeeded, and a
 * connection without one after the hello timeout is closed.
 */
final class Dispatcher extends SimpleChannelInboundHandler<Request> {
    static final AttributeKey<String> PEER = AttributeKey.valueOf("corral.peer");
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final OperationTable operations;
    private final Executor workers;
    private final ObjectMapper mapper;
    private final long helloTimeoutMillis;
    private boolean greeted;
    private ScheduledFuture<?> helloTimer;

    Dispatcher(OperationTable operations, Executor workers, ObjectMapper mapper, long helloTimeoutMillis) {
        this.operations = operations;
        this.workers = workers;
        this.mapper = mapper;
        this.helloTimeoutMillis = helloTimeoutMillis;
    }

    /** A connection that holds a slot without saying hello is closed, so silent peers cannot fill the cap. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        helloTimer = ctx.executor().schedule(() -> {
            if (!greeted && ctx.channel().isActive()) {
                log.info("closed a connection from {}: no hello within {} ms", ctx.channel().attr(PEER).get(),
                        helloTimeoutMillis);
                ctx.channel().config().setAutoRead(false);
                ctx.writeAndFlush(Responses.error(mapper, null, ErrorCode.HELLO_REQUIRED, "no hello within "
                        + helloTimeoutMillis + " ms of connecting; closing the connection"))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }, helloTimeoutMillis, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelHelloTimer();
    }

    private void cancelHelloTimer() {
        if (helloTimer != null) {
            helloTimer.cancel(false);
            helloTimer = null;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Request sent) {
        boolean hello = Op.HELLO.equals(sent.op());
        if (!greeted && !hello) {
            answer(ctx, sent, Reply.error(ErrorCode.HELLO_REQUIRED,
                    "the first request on a connection must be a hello carrying the protocol version"));
            return;
        }
        Operation operation = operations.find(sent.op()).orElse(null);
        if (operation == null) {
            answer(ctx, sent, Reply.error(ErrorCode.UNKNOWN_OP, "unknown operation '" + sent.op()
                    + "'; this daemon serves: " + String.join(", ", operations.names())));
            return;
        }
        Request bound;
        try {
            bound = bind(sent);
        } catch (Refusal e) {
            answer(ctx, sent, Reply.error(e.code(), e.getMessage()));
            return;
        }
        Caller caller = new Caller(ctx.channel().attr(PEER).get());
        if (operation.execution() == Operation.Execution.INLINE) {
            answer(ctx, bound, Guarded.run(operation, bound, caller));
            return;
        }
        try {
            CompletableFuture.supplyAsync(() -> Guarded.run(operation, bound, caller), workers)
                    .thenAccept(reply -> ctx.executor().execute(() -> answer(ctx, bound, reply)));
        } catch (RejectedExecutionException e) {
            answer(ctx, bound, Reply.error(ErrorCode.BUSY, "corrald has too much work queued; try again shortly"));
        }
    }

    /** The request with its arguments bound to their record, or the BAD_REQUEST that names the field at fault. */
    private static Request bind(Request request) throws Refusal {
        Class<? extends Record> argsType = Requests.argsOf(request.op());
        return argsType == null ? request : request.withBound(Arguments.bind(request.op(), request.args(), argsType));
    }

    private void answer(ChannelHandlerContext ctx, Request request, Reply reply) {
        if (reply instanceof Reply.Later later) {
            later.stage().whenComplete((value, failure) -> {
                Fatal.haltIfError("operation '" + request.op() + "'", failure);
                ctx.executor().execute(() -> answer(ctx, request, failure == null ? value : Guarded.internal(request, failure)));
            });
            return;
        }
        if (!ctx.channel().isActive()) {
            return;
        }
        if (reply instanceof Reply.Ok ok) {
            if (Op.HELLO.equals(request.op())) {
                greeted = true;
                cancelHelloTimer();
            }
            ctx.writeAndFlush(okFrame(ctx, request, ok.result()))
                    .addListener(written -> replyFailed(ctx, request, (ChannelFuture) written));
        } else if (reply instanceof Reply.Upgrade upgrade) {
            ObjectNode frame = okFrame(ctx, request, upgrade.result());
            ctx.writeAndFlush(frame);
            if (frame.has(Message.RESULT)) {
                handOver(ctx.channel(), upgrade.handOver());
            }
            return;
        } else if (reply instanceof Reply.Err err) {
            var written = ctx.writeAndFlush(Responses.error(mapper, request.id(), err.code(), err.message()));
            if (err.code() == ErrorCode.VERSION_MISMATCH) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }
        // A peer that sends requests without reading the answers stops being read until it catches up.
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * The success frame for {@code result}, or INTERNAL when it cannot be made into JSON (a bug, or
     * a class that no longer loads because the jar was replaced under a running daemon): the peer
     * gets an answer, never silence. When not even that frame can be made, the connection is
     * closed, which a client reports at once.
     */
    private ObjectNode okFrame(ChannelHandlerContext ctx, Request request, Object result) {
        try {
            return Responses.ok(mapper, request.id(), result);
        } catch (RuntimeException | LinkageError e) {
            try {
                Reply.Err err = (Reply.Err) Guarded.internal(request, e);
                return Responses.error(mapper, request.id(), err.code(), "corrald could not build its reply: " + err.message());
            } catch (RuntimeException | LinkageError again) {
                ctx.close();
                throw again;
            }
        }
    }

    /** Turns the connection into what the upgrade names; on its event loop. */
    private static void handOver(Channel channel, Reply.HandOver handOver) {
        if (handOver instanceof Reply.Attach attach) {
            StreamMode.enter(channel, attach.session(), attach.readOnly(), attach.replay(), attach.scrollback());
            attach.then().run();
        } else if (handOver instanceof Reply.Subscribe subscribe) {
            EventMode.enter(channel, subscribe.hub(), subscribe.channels(), subscribe.since());
        }
    }

    /**
     * A reply that could not be written: one over the frame limit is answered with
     * REPLY_TOO_LARGE instead (the peer gets an answer, never silence); any other failure is logged.
     */
    private void replyFailed(ChannelHandlerContext ctx, Request request, ChannelFuture written) {
        if (written.isSuccess()) {
            return;
        }
        Throwable cause = written.cause();
        if (cause instanceof FrameEncoder.TooLargeException tooLarge) {
            log.warn("reply to {} (id {}) for {} is {} bytes, over the frame limit of {}; answered REPLY_TOO_LARGE",
                    request.op(), request.id(), ctx.channel().attr(PEER).get(), tooLarge.length(), Protocol.MAX_FRAME_BYTES);
            ctx.writeAndFlush(Responses.error(mapper, request.id(), ErrorCode.REPLY_TOO_LARGE, "the reply to "
                    + request.op() + " would be " + tooLarge.length() + " bytes, over the frame limit of "
                    + Protocol.MAX_FRAME_BYTES + "; ask for less (one session with 'corral show', fewer bytes of tail)"));
        } else if (ctx.channel().isActive()) {
            // Closed rather than left waiting: the client says the daemon closed without answering.
            log.warn("reply to {} (id {}) for {} could not be written: {}; closing the connection", request.op(), request.id(),
                    ctx.channel().attr(PEER).get(), cause.toString());
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** The peer finished sending (sockets are half-closable so a cut-off frame can be answered). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Fatal.haltIfError("a connection from " + ctx.channel().attr(PEER).get(), cause);
        if (cause instanceof IOException) {
            log.debug("connection from {} failed: {}", ctx.channel().attr(PEER).get(), cause.toString());
        } else {
            log.error("bug: unexpected error on a connection from {}", ctx.channel().attr(PEER).get(), cause);
        }
        ctx.close();
    }
}
