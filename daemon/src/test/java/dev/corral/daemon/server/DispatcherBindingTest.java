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
import dev.corral.protocol.args.RemoveArgs;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher binds a request's args to its operation's record before the operation runs: a
 * refusal is answered BAD_REQUEST naming the field and the operation never sees it; an accepted
 * request reaches it with the record bound.
 */
class DispatcherBindingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An operation that records what it was given. */
    private static final class Recording implements Operation {
        final String name;
        final List<Request> seen = new ArrayList<>();

        Recording(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Reply run(Request request, Caller caller) {
            seen.add(request);
            return Reply.ok(java.util.Map.of("ok", true));
        }
    }

    private static Request request(int id, String op, String args) throws Exception {
        return new Request(IntNode.valueOf(id), op, (ObjectNode) JSON.readTree(args));
    }

    @Test
    void aRequestThatDoesNotBindNeverReachesItsOperation() throws Exception {
        Recording hello = new Recording(Op.HELLO);
        Recording remove = new Recording(Op.REMOVE);
        EmbeddedChannel channel = new EmbeddedChannel(new Dispatcher(new OperationTable().add(hello).add(remove),
                Runnable::run, JSON, 60_000));
        channel.writeInbound(request(1, Op.HELLO, "{\"version\": " + Protocol.VERSION + "}"));
        assertTrue(((ObjectNode) channel.readOutbound()).has("result"));
        assertEquals(Protocol.VERSION, ((dev.corral.protocol.args.HelloArgs) hello.seen.get(0).bound()).version());

        channel.writeInbound(request(2, Op.REMOVE, "{\"name\": \"a\", \"force\": \"yes\"}"));
        ObjectNode refused = channel.readOutbound();
        assertEquals("BAD_REQUEST", refused.path("error").path("code").asText(), refused.toString());
        assertTrue(refused.path("error").path("message").asText().contains("args.force"), refused.toString());
        assertEquals(2, refused.path("id").asInt());
        assertTrue(remove.seen.isEmpty(), "the operation never ran");

        channel.writeInbound(request(3, Op.REMOVE, "{\"name\": \"a\", \"force\": true}"));
        assertTrue(((ObjectNode) channel.readOutbound()).has("result"));
        assertEquals(new RemoveArgs("a", true), remove.seen.get(0).bound());
        channel.finishAndReleaseAll();
    }
}
