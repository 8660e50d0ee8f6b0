package dev.corral.e2e.support;

import dev.corral.protocol.Json;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A protocol peer that writes raw bytes, for the tests of what the daemon does with bad input.
 * Reads have deadlines, so a daemon that never answers fails the test instead of hanging it.
 */
public final class RawPeer implements AutoCloseable {
    public static final Duration READ_DEADLINE = Duration.ofSeconds(20);

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer pending = ByteBuffer.allocate(8 * 1024 * 1024).flip();
    private long nextId = 1;

    private RawPeer(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    public static RawPeer connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new RawPeer(channel);
    }

    /** True when a daemon on the socket completes a hello and a ping. */
    public static boolean answers(Path socket) {
        try (RawPeer peer = connect(socket)) {
            return peer.hello().containsKey("result") && peer.request("ping", null).containsKey("result");
        } catch (IOException | AssertionError e) {
            return false;
        }
    }

    public Map<String, Object> hello() throws IOException {
        return request("hello", Map.of("version", dev.corral.protocol.Protocol.VERSION));
    }

    public Map<String, Object> request(String op, Map<String, Object> args) throws IOException {
        Map<String, Object> request = new java.util.LinkedHashMap<>();
        request.put("id", nextId++);
        request.put("op", op);
        if (args != null) {
            request.put("args", args);
        }
        sendFrame(Json.write(request));
        return readFrame();
    }

    public void sendFrame(String json) throws IOException {
        sendFrame(json.getBytes(StandardCharsets.UTF_8));
    }

    public void sendFrame(byte[] payload) throws IOException {
        send(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());
    }

    public void send(byte[] raw) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(raw);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Ends our side of the stream; the daemon still answers on its side. */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** The next frame the daemon sends, as a JSON object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> readFrame() throws IOException {
        long end = System.nanoTime() + READ_DEADLINE.toNanos();
        int length = -1;
        while (true) {
            if (length < 0 && pending.remaining() >= 4) {
                length = pending.getInt();
            }
            if (length >= 0 && pending.remaining() >= length) {
                byte[] payload = new byte[length];
                pending.get(payload);
                return (Map<String, Object>) Json.read(payload);
            }
            if (fill(end) < 0) {
                throw new IOException("the daemon closed the connection before sending a whole frame");
            }
        }
    }

    /** One stream-mode message (after an attach): its type ({@code dev.corral.protocol.Stream}) and payload. */
    public record StreamMessage(byte type, byte[] payload) {}

    /** Sends one stream-mode message. */
    public void sendStream(byte type, byte[] payload) throws IOException {
        send(ByteBuffer.allocate(5 + payload.length).put(type).putInt(payload.length).put(payload).array());
    }

    /** The next stream-mode message the daemon sends. */
    public StreamMessage readStream() throws IOException {
        long end = System.nanoTime() + READ_DEADLINE.toNanos();
        while (true) {
            if (pending.remaining() >= 5) {
                int length = pending.getInt(pending.position() + 1);
                if (pending.remaining() >= 5 + length) {
                    byte type = pending.get();
                    pending.getInt();
                    byte[] payload = new byte[length];
                    pending.get(payload);
                    return new StreamMessage(type, payload);
                }
            }
            if (fill(end) < 0) {
                throw new IOException("the daemon closed the connection before sending a whole stream message");
            }
        }
    }

    /** The error code of the next frame, which must be an error. */
    @SuppressWarnings("unchecked")
    public String readErrorCode() throws IOException {
        Map<String, Object> frame = readFrame();
        Object error = frame.get("error");
        if (!(error instanceof Map)) {
            throw new AssertionError("expected an error frame, got " + frame);
        }
        return (String) ((Map<String, Object>) error).get("code");
    }

    /** True when the daemon closes the connection within the deadline (no more frames come). */
    public boolean closedByDaemon() throws IOException {
        long end = System.nanoTime() + READ_DEADLINE.toNanos();
        while (true) {
            int read = fill(end);
            if (read < 0) {
                return true;
            }
            pending.position(pending.limit());
        }
    }

    private int fill(long endNanos) throws IOException {
        pending.compact();
        try {
            while (true) {
                long left = (endNanos - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new AssertionError("no data from the daemon within " + READ_DEADLINE);
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int read;
                try {
                    read = channel.read(pending);
                } catch (IOException e) {
                    return -1; // reset by the daemon: closed as far as a peer can tell
                }
                if (read != 0) {
                    return read;
                }
            }
        } finally {
            pending.flip();
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
