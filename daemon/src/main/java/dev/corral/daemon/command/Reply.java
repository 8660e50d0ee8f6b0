package dev.corral.daemon.command;

import dev.corral.protocol.ErrorCode;
import io.netty.channel.Channel;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * What an operation answers: a result, an anticipated error with its stable code, or a reply
 * that comes later. An exception escaping an operation is a bug and is answered as INTERNAL.
 */
public sealed interface Reply {

    /** A successful result, serialized as the response's {@code result}. */
    record Ok(Object result) implements Reply {}

    /** A refusal the caller can act on. */
    record Err(ErrorCode code, String message) implements Reply {}

    /** A reply that completes later, off the event loop (waits, process spawns). */
    record Later(CompletionStage<Reply> stage) implements Reply {}

    /** A result, after which the connection is handed over (attach: stream mode). Runs on its event loop. */
    record Upgrade(Object result, Consumer<Channel> handOver) implements Reply {}

    static Reply ok(Object result) {
        return new Ok(result);
    }

    static Reply error(ErrorCode code, String message) {
        return new Err(code, message);
    }

    static Reply upgrade(Object result, Consumer<Channel> handOver) {
        return new Upgrade(result, handOver);
    }

    static Reply later(CompletionStage<Reply> stage) {
        return new Later(stage);
    }
}
