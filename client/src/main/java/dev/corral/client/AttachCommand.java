package dev.corral.client;

import dev.corral.protocol.ErrorCode;
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

    @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
    String name;

    @Option(names = "--read-only", description = "Watch only: keys and resizes are not sent.")
    boolean readOnly;

    @Option(names = "--no-replay", description = "Skip the picture: only the session's modes (keys, paste), then what comes next.")
    boolean noReplay;

    @Option(names = "--scrollback", paramLabel = "N", defaultValue = "0",
            description = "First send the last N lines of the session's scrollback (default: ${DEFAULT-VALUE}).")
    int scrollback;

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
        Trace.mark("terminal-raw");
        try {
            int[] size = terminal.size();
            var response = daemon.call(Op.ATTACH, Map.of("name", name, "readOnly", readOnly, "noReplay", noReplay,
                    "scrollback", Math.max(0, scrollback), "cols", size[0], "rows", size[1]));
            if (!response.ok()) {
                terminal.close();
                daemon.close();
                // No such session is exit 3, as for every session command; the rest is corral failing.
                throw new CliFailure(response.errorCode() == ErrorCode.NO_SUCH_SESSION ? Exit.NO_SUCH_SESSION : Exit.CORRAL_FAILED,
                        response.errorCode().name(), response.errorMessage());
            }
            socket = daemon.handOver();
            Trace.mark("attached");
            onSignals();
            startInput(detach);
            return pumpOutput();
        } finally {
            restoreScreen();
            terminal.close();
            daemon.close();
        }
    }

    /**
     * Every mode a session may have turned on, off again: attributes, scroll region (the cursor
     * kept), cursor visible and steady, cursor keys and keypad, mouse and its encodings, focus
     * events, bracketed paste, modifyOtherKeys and the kitty keyboard flags, the character set;
     * then out of the alternate screen if the session was in it, else onto a fresh line, so the
     * line that says why attach ended comes below the picture.
     */
    private static final byte[] RESTORE = ("\033[0m\0337\033[r\0338\033[?25h\033[ q\033[?1l\033>"
            + "\033[?1000l\033[?1002l\033[?1003l\033[?1005l\033[?1006l\033[?1015l\033[?1004l\033[?2004l"
            + "\033[>4m\033[<u\033(B\017").getBytes(StandardCharsets.US_ASCII);
    private final java.util.concurrent.atomic.AtomicBoolean restored = new java.util.concurrent.atomic.AtomicBoolean();
    /** Whether the session's output last entered (true) or left the alternate screen; see {@link #trackScreen}. */
    private volatile boolean alternateScreen;
    private int scanState;
    private int scanNumber;
    private boolean scanAlternate;

    private void restoreScreen() {
        if (!restored.compareAndSet(false, true)) {
            return;
        }
        try {
            FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
            stdout.write(RESTORE);
            stdout.write((alternateScreen ? "\033[?1049l" : "\r\n").getBytes(StandardCharsets.US_ASCII));
            stdout.flush();
        } catch (IOException ignored) {
            // The terminal is gone: nothing to restore.
        }
    }

    /** Follows CSI ? ... h/l in the output for 47, 1047 and 1049, so the end knows whether to leave the alternate screen. */
    private void trackScreen(ByteBuffer payload) {
        for (int i = payload.position(), end = payload.limit(); i < end; i++) {
            int b = payload.get(i) & 0xff;
            switch (scanState) {
                case 0 -> scanState = b == 0x1b ? 1 : 0;
                case 1 -> scanState = b == '[' ? 2 : b == 0x1b ? 1 : 0;
                case 2 -> {
                    scanState = b == '?' ? 3 : b == 0x1b ? 1 : 0;
                    scanNumber = 0;
                    scanAlternate = false;
                }
                default -> {
                    if (b >= '0' && b <= '9') {
                        scanNumber = Math.min(scanNumber * 10 + b - '0', 100_000);
                    } else if (b == ';' || b == 'h' || b == 'l') {
                        scanAlternate |= scanNumber == 47 || scanNumber == 1047 || scanNumber == 1049;
                        scanNumber = 0;
                        if (b != ';') {
                            if (scanAlternate) {
                                alternateScreen = b == 'h';
                            }
                            scanState = 0;
                        }
                    } else {
                        scanState = b == 0x1b ? 1 : 0;
                    }
                }
            }
        }
    }

    /** Socket reads land here: room for several messages, so one read can carry a burst. */
    private static final int INPUT_BUFFER = 4 * Stream.MAX_PAYLOAD;
    /** DATA payloads written to the terminal with one gathering write, at most this many. */
    private static final int WRITE_BATCH = 64;

    /**
     * Daemon → terminal until the session ends, the daemon lets go, or the connection is lost.
     * Each socket read takes whatever has arrived (often several messages); the DATA payloads among
     * them go to the terminal straight from that buffer in one gathering write, so a burst costs
     * about one read and one write per read instead of three system calls and two copies a message.
     */
    private boolean firstRead;

    private int pumpOutput() {
        FileChannel stdout = new FileOutputStream(FileDescriptor.out).getChannel();
        ByteBuffer in = ByteBuffer.allocateDirect(INPUT_BUFFER);
        ByteBuffer[] out = new ByteBuffer[WRITE_BATCH];
        try {
            while (true) {
                if (socket.read(in) < 0) {
                    return end("[lost connection to corrald]", Exit.CORRAL_FAILED);
                }
                if (!firstRead) {
                    firstRead = true;
                    Trace.mark("first-output");
                }
                in.flip();
                int batch = 0;
                while (in.remaining() >= Stream.HEADER_BYTES) {
                    int at = in.position();
                    byte type = in.get(at);
                    int length = in.getInt(at + 1);
                    if (length < 0 || length > Stream.MAX_PAYLOAD) {
                        write(stdout, out, batch);
                        return end("[lost connection to corrald: bad stream message]", Exit.CORRAL_FAILED);
                    }
                    if (in.remaining() < Stream.HEADER_BYTES + length) {
                        break;                  // the rest of this message comes with the next read
                    }
                    ByteBuffer payload = in.slice(at + Stream.HEADER_BYTES, length);
                    in.position(at + Stream.HEADER_BYTES + length);
                    switch (type) {
                        case Stream.DATA -> {
                            if (batch == out.length) {
                                write(stdout, out, batch);
                                batch = 0;
                            }
                            trackScreen(payload);
                            out[batch++] = payload;
                        }
                        case Stream.EXIT -> {
                            write(stdout, out, batch);
                            Object code = ((Map<?, ?>) Json.read(text(payload).getBytes(StandardCharsets.UTF_8))).get("exitCode");
                            if (!(code instanceof Number n) || n.intValue() < 0) {
                                // No status: the session was lost; the same words and status as wait's.
                                CliFailure lost = SessionCommands.lost(name);
                                return end("corral: " + lost.describe(), lost.exitStatus());
                            }
                            return end("[" + name + " exited with status " + n.intValue() + "]", n.intValue());
                        }
                        case Stream.DETACH -> {
                            write(stdout, out, batch);
                            String reason = text(payload);
                            return end("detached".equals(reason) ? "[detached from " + name + "]"
                                    : "[detached from " + name + ": " + reason + "]", Exit.OK);
                        }
                        default -> { }
                    }
                }
                write(stdout, out, batch);
                in.compact();
            }
        } catch (IOException e) {
            return end("[lost connection to corrald]", Exit.CORRAL_FAILED);
        }
    }

    /** Writes the first {@code count} buffers completely. */
    private static void write(FileChannel stdout, ByteBuffer[] buffers, int count) throws IOException {
        for (int first = 0; first < count; ) {
            stdout.write(buffers, first, count - first);
            while (first < count && !buffers[first].hasRemaining()) {
                buffers[first++] = null;
            }
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
                restoreScreen();
                terminal.close();
                System.err.println("[detached from " + name + ": SIG" + signal + "]");
                System.err.flush();
                Runtime.getRuntime().halt(128 + s.getNumber());
            });
        }
    }

    private int end(String why, int status) {
        restoreScreen();
        terminal.close();
        System.err.println(why);
        System.err.flush();
        return status;
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
