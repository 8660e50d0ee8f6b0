package dev.corral.client;

import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import dev.corral.protocol.Stream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import sun.misc.Signal;

/**
 * {@code corral attach}: the terminal becomes the session's. Output streams raw to stdout, keys
 * go to the session, SIGWINCH becomes a resize, the detach key lets go. Whatever ends it, the
 * terminal is restored and one line on stderr says why.
 */
@Command(name = "attach", description = "Attach this terminal to a session (detach with Ctrl-\\ by default).")
final class AttachCommand implements Callable<Integer> {
    @ParentCommand
    Corral corral;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--read-only", description = "Watch only: keys and resizes are not sent.")
    boolean readOnly;

    @Option(names = "--no-replay", description = "Skip the recent output; show only what comes next.")
    boolean noReplay;

    @Option(names = "--detach-key", paramLabel = "KEY", defaultValue = "^\\",
            description = "Key that detaches: ^X or ctrl-x notation, or 'none' (default: ${DEFAULT-VALUE}).")
    String detachKey;

    private final Object sendLock = new Object();
    private SocketChannel socket;
    private Terminal terminal;

    @Override
    public Integer call() {
        int detach = parseKey(detachKey);
        DaemonConnection daemon;
        try {
            daemon = DaemonConnection.open(corral.endpoint(), true);
        } catch (CliFailure failure) {
            throw new CliFailure(Exit.CORRAL_FAILED, null, failure.describe());
        }
        terminal = Terminal.raw();
        try {
            int[] size = terminal.size();
            var response = daemon.call(Op.ATTACH, Map.of("name", name, "readOnly", readOnly, "noReplay", noReplay,
                    "cols", size[0], "rows", size[1]));
            if (!response.ok()) {
                terminal.close();
                daemon.close();
                throw new CliFailure(Exit.CORRAL_FAILED, response.errorCode().name(), response.errorMessage());
            }
            socket = daemon.handOver();
            onSignals();
            startInput(detach);
            return pumpOutput();
        } finally {
            terminal.close();
            daemon.close();
        }
    }

    /** Daemon → terminal until the session ends, the daemon lets go, or the connection is lost. */
    private int pumpOutput() {
        FileChannel stdout = new FileOutputStream(FileDescriptor.out).getChannel();
        ByteBuffer header = ByteBuffer.allocate(Stream.HEADER_BYTES);
        ByteBuffer payload = ByteBuffer.allocate(Stream.MAX_PAYLOAD);
        try {
            while (true) {
                header.clear();
                if (!fill(header)) {
                    return end("[lost connection to corrald]", Exit.CORRAL_FAILED);
                }
                byte type = header.get(0);
                int length = header.getInt(1);
                if (length < 0 || length > Stream.MAX_PAYLOAD) {
                    return end("[lost connection to corrald: bad stream message]", Exit.CORRAL_FAILED);
                }
                payload.clear().limit(length);
                if (!fill(payload)) {
                    return end("[lost connection to corrald]", Exit.CORRAL_FAILED);
                }
                payload.flip();
                switch (type) {
                    case Stream.DATA -> {
                        while (payload.hasRemaining()) {
                            stdout.write(payload);
                        }
                    }
                    case Stream.EXIT -> {
                        Object code = ((Map<?, ?>) Json.read(text(payload).getBytes(StandardCharsets.UTF_8))).get("exitCode");
                        int status = code instanceof Number n ? n.intValue() : Exit.CORRAL_FAILED;
                        return end("[" + name + " exited with status " + status + "]", status);
                    }
                    case Stream.DETACH -> {
                        String reason = text(payload);
                        return end("detached".equals(reason) ? "[detached from " + name + "]"
                                : "[detached from " + name + ": " + reason + "]", Exit.OK);
                    }
                    default -> { }
                }
            }
        } catch (IOException e) {
            return end("[lost connection to corrald]", Exit.CORRAL_FAILED);
        }
    }

    /** Terminal → daemon on its own thread; the detach key or the end of input detaches. */
    private void startInput(int detach) {
        Thread input = new Thread(() -> {
            byte[] buffer = new byte[4096];
            InputStream stdin = System.in;
            try {
                for (int n; (n = stdin.read(buffer)) >= 0; ) {
                    int cut = indexOf(buffer, n, detach);
                    if (cut >= 0) {
                        send(Stream.DATA, buffer, cut);
                        break;
                    }
                    send(Stream.DATA, buffer, n);
                }
                send(Stream.DETACH, buffer, 0);
            } catch (IOException e) {
                // The connection is gone; the output side reports it.
            }
        }, "attach-input");
        input.setDaemon(true);
        input.start();
    }

    private void send(byte type, byte[] bytes, int length) throws IOException {
        if (length == 0 && type == Stream.DATA || readOnly && type != Stream.DETACH) {
            return;
        }
        ByteBuffer message = ByteBuffer.allocate(Stream.HEADER_BYTES + length).put(type).putInt(length).put(bytes, 0, length).flip();
        synchronized (sendLock) {
            while (message.hasRemaining()) {
                socket.write(message);
            }
        }
    }

    private void onSignals() {
        Signal.handle(new Signal("WINCH"), s -> {
            int[] size = terminal.size();
            if (size[0] > 0 && size[1] > 0) {
                byte[] dims = ByteBuffer.allocate(4).putShort((short) size[0]).putShort((short) size[1]).array();
                try {
                    send(Stream.RESIZE, dims, 4);
                } catch (IOException ignored) {
                    // Lost connection: the output side reports it.
                }
            }
        });
        for (String signal : new String[] {"TERM", "HUP", "INT"}) {
            Signal.handle(new Signal(signal), s -> {
                terminal.close();
                System.err.println("[detached from " + name + ": SIG" + signal + "]");
                System.err.flush();
                Runtime.getRuntime().halt(128 + s.getNumber());
            });
        }
    }

    private int end(String why, int status) {
        terminal.close();
        System.err.println(why);
        System.err.flush();
        return status;
    }

    private boolean fill(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (socket.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] buffer, int length, int key) {
        if (key < 0) {
            return -1;
        }
        for (int i = 0; i < length; i++) {
            if (buffer[i] == key) {
                return i;
            }
        }
        return -1;
    }

    /** "^\", "^a", "ctrl-a", "C-a" → the control byte; "none" → -1. */
    static int parseKey(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        if (k.equals("none")) {
            return -1;
        }
        String rest = k.startsWith("^") ? k.substring(1) : k.startsWith("ctrl-") ? k.substring(5)
                : k.startsWith("c-") ? k.substring(2) : null;
        if (rest != null && rest.length() == 1 && rest.charAt(0) >= '@' && rest.charAt(0) <= '_' + 32) {
            return Character.toUpperCase(rest.charAt(0)) & 0x1f;
        }
        throw new CliFailure(Exit.USAGE, null, "--detach-key takes ^X or ctrl-x notation (or none), got '" + key + "'");
    }
}
