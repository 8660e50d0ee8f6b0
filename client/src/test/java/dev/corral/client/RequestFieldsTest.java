package dev.corral.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.protocol.Frames;
import dev.corral.protocol.Json;
import dev.corral.protocol.Message;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import dev.corral.protocol.args.Requests;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client writes its requests with the streaming API, not from the protocol's records: each
 * command here runs against a stand-in daemon on a private socket that records what it is sent,
 * and every field of every request must be a component of its operation's args record (the
 * daemon refuses any other), with the record's required fields present.
 */
@Timeout(60)
class RequestFieldsTest {
    @TempDir
    Path dir;

    /** A socket that says hello back and answers every other request with an empty result (a log with none). */
    private static final class StandIn implements AutoCloseable {
        final ServerSocketChannel server;
        final List<Map<String, Object>> requests = Collections.synchronizedList(new ArrayList<>());
        final Thread thread;

        StandIn(Path socket) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(this::serve, "stand-in corrald");
            thread.setDaemon(true);
            thread.start();
        }

        @SuppressWarnings("unchecked")
        private void serve() {
            while (server.isOpen()) {
                try (SocketChannel peer = server.accept()) {
                    for (byte[] frame = Frames.read(peer); frame != null; frame = Frames.read(peer)) {
                        Map<String, Object> request = (Map<String, Object>) Json.read(frame);
                        requests.add(request);
                        Map<String, Object> result = new LinkedHashMap<>();
                        if ("hello".equals(request.get(Message.OP))) {
                            result.put(Message.VERSION, Protocol.VERSION);
                            result.put(Message.DAEMON, "stand-in");
                        }
                        Frames.write(peer, Json.write(Map.of(Message.ID, request.get(Message.ID), Message.RESULT, result)));
                        if (Op.CONTAINER_LOGS.equals(request.get(Message.OP)) || Op.SUBSCRIBE.equals(request.get(Message.OP))) {
                            break; // a log or events would follow on this connection: they end at once instead
                        }
                    }
                } catch (IOException e) {
                    // The client went away, or the test closed the socket.
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFieldTheClientSendsIsAFieldOfItsRecord() throws Exception {
        Path socket = dir.resolve("corral.sock");
        Path dockerfile = Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        Path prompt = Files.writeString(dir.resolve("prompt.md"), "hello\n");
        List<List<String>> lines = List.of(
                List.of("ping"),
                List.of("daemon", "status"),
                List.of("spawn", "--name", "a", "--env", "K=V", "--size", "100x30", "--cwd", dir.toString(), "--", "sh"),
                List.of("spawn", "--name", "c", "--kind", "container", "--workspace", dir.toString(), "--cwd", ".", "--force",
                        "--image", "busybox", "--memory", "512m", "--issue", "7"),
                List.of("spawn", "--agent", "claude", "--prompt-file", prompt.toString(), "--workspace", dir.toString()),
                List.of("ls", "--all"),
                List.of("show", "a"),
                List.of("kill", "--signal", "INT", "a"),
                List.of("rm", "--force", "a"),
                List.of("wait", "--timeout", "5", "a"),
                List.of("send", "--no-enter", "a", "text"),
                List.of("tail", "--bytes", "10", "a"),
                List.of("screen", "--ansi", "a"),
                List.of("profile", "ls"),
                List.of("profile", "show", "claude"),
                List.of("image", "build", "--dockerfile", dockerfile.toString(), "--tag", "t1", "--force",
                        "--build-arg", "A=1", "--network", "host"),
                List.of("container", "ps"),
                List.of("container", "logs", "--tail", "5", "c"),
                List.of("container", "snapshot", "--tag", "t2", "c"),
                List.of("lease", "ls"),
                List.of("lease", "show", dir.toString()),
                List.of("lease", "release", "--force", dir.toString()),
                List.of("web", "--address", "127.0.0.1:0"),
                List.of("events", "--channel", "sessions", "--since", "3"));
        PrintStream out = System.out;
        PrintStream err = System.err;
        List<Map<String, Object>> sent;
        try (StandIn daemon = new StandIn(socket)) {
            System.setOut(new PrintStream(new ByteArrayOutputStream()));
            System.setErr(new PrintStream(new ByteArrayOutputStream()));
            for (List<String> line : lines) {
                List<String> argv = new ArrayList<>(List.of("--socket", socket.toString(), "--json"));
                argv.addAll(line);
                String[] args = argv.toArray(String[]::new);
                // What the command makes of an empty result does not matter here, only what it sent.
                Corral.commandLine(args).execute(args);
            }
            sent = List.copyOf(daemon.requests);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        Set<String> seen = new TreeSet<>();
        for (Map<String, Object> request : sent) {
            String op = (String) request.get(Message.OP);
            Class<? extends Record> type = Requests.argsOf(op);
            assertNotNull(type, "the client sent '" + op + "', which the protocol does not have");
            Set<String> components = Arrays.stream(type.getRecordComponents()).map(java.lang.reflect.RecordComponent::getName).collect(Collectors.toSet());
            Map<String, Object> args = (Map<String, Object>) request.getOrDefault(Message.ARGS, Map.of());
            for (String field : args.keySet()) {
                assertTrue(components.contains(field), "'" + op + "' sent args." + field + ", which " + type.getSimpleName()
                        + " does not have: " + components);
            }
            for (var component : type.getRecordComponents()) {
                if (component.getAccessor().isAnnotationPresent(dev.corral.protocol.args.Required.class)) {
                    assertTrue(args.containsKey(component.getName()), "'" + op + "' lacks required args." + component.getName());
                }
            }
            seen.add(op);
        }
        Set<String> expected = new TreeSet<>(Requests.all().keySet());
        // Attach (and a shell, which attaches) needs a terminal, and shutdown waits for the daemon to go: the
        // e2e tests send those through the real daemon, which binds them to AttachArgs and NoArgs.
        expected.removeAll(Set.of(Op.ATTACH, Op.CONTAINER_SHELL, Op.SHUTDOWN));
        assertEquals(expected, seen, "every request-answer operation was sent");
    }
}
