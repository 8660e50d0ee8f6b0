package dev.corral.daemon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.daemon.command.Caller;
import dev.corral.daemon.command.Operation;
import dev.corral.daemon.command.OperationTable;
import dev.corral.daemon.command.Reply;
import dev.corral.daemon.command.Request;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A reply whose result cannot be made into JSON is answered INTERNAL with the request's id, on
 * the event loop and from a worker alike: never silence, which left {@code corral} waiting for
 * ever (seen with a daemon whose jar {@code mvn package} had replaced: its classes no longer load).
 */
class DispatcherReplyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A result whose getter fails as a class that no longer loads does. */
    public static final class Unloadable {
        public String getValue() {
            throw new NoClassDefFoundError("dev/corral/protocol/result/Gone");
        }
    }

    /** A result Jackson refuses: a getter that throws. */
    public static final class Broken {
        public String getValue() {
            throw new IllegalStateException("broken getter");
        }
    }

    private static Operation operation(String name, Operation.Execution execution, Supplier<Object> result) {
        return new Operation() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Operation.Execution execution() {
                return execution;
            }

            @Override
            public Reply run(Request request, Caller caller) {
                return Reply.ok(result.get());
            }
        };
    }

    private static Request request(int id, String op, String args) throws Exception {
        return new Request(IntNode.valueOf(id), op, (ObjectNode) JSON.readTree(args));
    }

    @Test
    void aReplyThatCannotBeBuiltIsAnsweredInternal() throws Exception {
        OperationTable table = new OperationTable()
                .add(operation(Op.HELLO, Operation.Execution.INLINE, () -> Map.of("version", Protocol.VERSION)))
                .add(operation(Op.LIST, Operation.Execution.INLINE, Unloadable::new))
                .add(operation(Op.SHOW, Operation.Execution.WORKER, Broken::new))
                .add(operation(Op.PING, Operation.Execution.INLINE, () -> Map.of("pong", true)));
        EmbeddedChannel channel = new EmbeddedChannel(new Dispatcher(table, Runnable::run, JSON, 60_000));
        channel.writeInbound(request(1, Op.HELLO, "{\"version\": " + Protocol.VERSION + "}"));
        assertTrue(((ObjectNode) channel.readOutbound()).has("result"));

        channel.writeInbound(request(2, Op.LIST, "{\"all\": true}"));
        ObjectNode inline = channel.readOutbound();
        assertEquals(2, inline.path("id").asInt(), String.valueOf(inline));
        assertEquals("INTERNAL", inline.path("error").path("code").asText(), String.valueOf(inline));
        assertTrue(inline.path("error").path("message").asText().startsWith("corrald could not build its reply"), inline.toString());

        channel.writeInbound(request(3, Op.SHOW, "{\"name\": \"a\"}"));
        channel.runPendingTasks();
        ObjectNode worker = channel.readOutbound();
        assertEquals(3, worker.path("id").asInt(), String.valueOf(worker));
        assertEquals("INTERNAL", worker.path("error").path("code").asText(), String.valueOf(worker));

        // The connection still serves.
        channel.writeInbound(request(4, Op.PING, "{}"));
        assertTrue(((ObjectNode) channel.readOutbound()).path("result").path("pong").asBoolean());
        channel.finishAndReleaseAll();
    }
}
