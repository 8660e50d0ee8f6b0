package dev.corral.client;

import dev.corral.protocol.Endpoint;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Frames;
import dev.corral.protocol.Json;
import dev.corral.protocol.Message;
import dev.corral.protocol.Op;
import dev.corral.protocol.Response;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One connection to corrald, already past the hello. Uses the JDK's own Unix-domain
 * {@link SocketChannel}: it needs no native library to extract, so it starts about 50 ms sooner
 * than junixsocket (measured; see the README). Every reply is awaited within its
 * {@link ReplyLimit}, never for ever.
 */
final class DaemonConnection implements AutoCloseable {
    private static final String CLIENT = "corral " + Corral.version();

    private final Endpoint endpoint;
    private final SocketChannel channel;
    /** A limit shorter than every request's own (completion's), or null. */
    private final Duration ceiling;
    private long nextId = 1;
    private Map<String, Object> hello;

    private DaemonConnection(Endpoint endpoint, SocketChannel channel, Duration ceiling) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.ceiling = ceiling;
    }

    /** Connects and says hello; the daemon is started first if none answers and {@code autoStart}. */
    static DaemonConnection open(Endpoint endpoint, boolean autoStart) {
        DaemonConnection connection = tryOpen(endpoint);
        if (connection == null && autoStart) {
            DaemonLauncher.ensureRunning(endpoint);
            connection = tryOpen(endpoint);
        }
        if (connection == null) {
            throw CliFailure.unreachable("corrald is not running on " + endpoint.socket()
                    + "; start it with 'corral daemon start'");
        }
        return connection;
    }

    /** A connection, or null when nothing listens on the socket. */
    static DaemonConnection tryOpen(Endpoint endpoint) {
        return tryOpen(endpoint, null);
    }

    /** A connection, or null when nothing listens; no reply on it is awaited longer than {@code ceiling} (null: no ceiling). */
    static DaemonConnection tryOpen(Endpoint endpoint, Duration ceiling) {
        Trace.mark("connect");
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new CliFailure(Exit.FAILED, null, "cannot open a Unix socket: " + e.getMessage());
        }
        try {
            channel.connect(UnixDomainSocketAddress.of(endpoint.socket()));
        } catch (IOException e) {
            closeQuietly(channel);
            return null;
        }
        Trace.mark("connected");
        DaemonConnection connection = new DaemonConnection(endpoint, channel, ceiling);
        connection.greet();
        Trace.mark("hello-done");
        return connection;
    }

    private void greet() {
        Response response = exchange(Op.HELLO, Message.hello(nextId++, CLIENT), limit(Op.HELLO, null));
        if (!response.ok()) {
            close();
            if (response.errorCode() == ErrorCode.VERSION_MISMATCH) {
                throw new CliFailure(Exit.UNREACHABLE, response.errorCode().name(), response.errorMessage());
            }
            throw CliFailure.refused(response);
        }
        hello = response.resultObject();
    }

    Map<String, Object> hello() {
        return hello;
    }

    /** Sends one request and returns its response, success or refusal. */
    Response call(String op, Map<String, ?> args) {
        return exchange(op, Message.request(nextId++, op, args), limit(op, args));
    }

    private Duration limit(String op, Map<String, ?> args) {
        Duration limit = ReplyLimit.of(op, args, System.getenv());
        return ceiling == null || (limit != null && limit.compareTo(ceiling) <= 0) ? limit : ceiling;
    }

    /** Sends one request; a refusal ends the command with the daemon's message and code. */
    Map<String, Object> require(String op, Map<String, ?> args) {
        Response response = call(op, args);
        if (!response.ok()) {
            throw CliFailure.refused(response);
        }
        return response.resultObject();
    }

    private Response exchange(String op, Map<String, Object> request, Duration limit) {
        try {
            byte[] json = Json.write(request);
            Trace.mark("json-written");
            try {
                Frames.write(channel, json);
            } catch (IOException writeFailed) {
                // A daemon that refuses a connection (BUSY, PEER_REFUSED) answers and closes before
                // reading anything: its frame is still there to read, and says more than "Broken pipe".
                byte[] refusal = readQuietly();
                if (refusal != null) {
                    return Response.parse(refusal);
                }
                throw writeFailed;
            }
            byte[] payload = readReply(limit);
            Trace.mark("answer-read");
            if (payload == null) {
                throw CliFailure.unreachable("corrald on " + endpoint.socket() + " closed the connection without answering");
            }
            Response response = Response.parse(payload);
            Trace.mark("json-parsed");
            return response;
        } catch (NoReply e) {
            close();
            throw new CliFailure(Exit.UNREACHABLE, "NO_REPLY", ReplyLimit.describe(op, limit, endpoint.socket()));
        } catch (IOException e) {
            throw CliFailure.unreachable("lost the connection to corrald on " + endpoint.socket() + ": " + e.getMessage());
        }
    }

    /** One reply frame, read within {@code limit} (null: no limit); the channel is blocking again after it. */
    private byte[] readReply(Duration limit) throws IOException {
        if (limit == null) {
            return Frames.read(channel);
        }
        long deadline = System.nanoTime() + limit.toNanos();
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            return Frames.read(new ReadableByteChannel() {
                @Override
                public int read(ByteBuffer buffer) throws IOException {
                    for (int read; ; ) {
                        if ((read = channel.read(buffer)) != 0) {
                            return read;
                        }
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new NoReply();
                        }
                        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                        selector.selectedKeys().clear();
                    }
                }

                @Override
                public boolean isOpen() {
                    return channel.isOpen();
                }

                @Override
                public void close() {
                    // The connection's owner closes the channel.
                }
            });
        } finally {
            // Closing the selector deregistered the channel; attach and events read it blocking.
            if (channel.isOpen()) {
                channel.configureBlocking(true);
            }
        }
    }

    /** The reply's limit passed with the reply incomplete. */
    private static final class NoReply extends IOException {
        NoReply() {
            super("no reply in time");
        }
    }

    private byte[] readQuietly() {
        try {
            return Frames.read(channel);
        } catch (IOException e) {
            return null;
        }
    }

    /** The socket itself, for stream mode after a successful attach; this connection is done with JSON. */
    SocketChannel handOver() {
        return channel;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing to tell the user: the connection is over either way.
        }
    }
}
