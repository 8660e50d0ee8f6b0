package dev.corral.daemon.command;

import dev.corral.daemon.event.EventHub;
import dev.corral.daemon.session.Session;
import dev.corral.protocol.ErrorCode;
import java.util.Set;
import java.util.concurrent.CompletionStage;

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

    /** A result, after which the transport hands the connection over to what {@code handOver} names. */
    record Upgrade(Object result, HandOver handOver) implements Reply {}

    /** What a connection becomes after an upgrade; the transport (server/) knows how to make it so. */
    sealed interface HandOver {}

    /**
     * A client attached to {@code session} (stream mode); {@code then} runs once it is, on the
     * connection's event loop (a container log starts docker only when its reader is there).
     */
    record Attach(Session session, boolean readOnly, boolean replay, int scrollback, Runnable then) implements HandOver {
        public Attach(Session session, boolean readOnly, boolean replay, int scrollback) {
            this(session, readOnly, replay, scrollback, () -> { });
        }
    }

    /** A subscriber of {@code channels}, from after {@code since} when it is not null. */
    record Subscribe(EventHub hub, Set<String> channels, Long since) implements HandOver {}

    static Reply ok(Object result) {
        return new Ok(result);
    }

    static Reply error(ErrorCode code, String message) {
        return new Err(code, message);
    }

    static Reply upgrade(Object result, HandOver handOver) {
        return new Upgrade(result, handOver);
    }

    static Reply later(CompletionStage<Reply> stage) {
        return new Later(stage);
    }
}
