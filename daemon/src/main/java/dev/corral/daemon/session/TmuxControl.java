package dev.corral.daemon.session;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tmux control-mode client ({@code tmux -C}), the interface tmux provides for programs that
 * drive it: the daemon's only client of a tmux session. The daemon asks it for no
 * {@code %output} (the pane's bytes come through {@code pipe-pane}, see {@link TmuxOutput}); should
 * a tmux send {@code %output} anyway, its lines are decoded from tmux's octal escapes and passed
 * on as the pane's bytes. A subscription carries the pane's death and status, and {@code %exit}
 * or the end of its output carries the client's own end (the session went, or the server died).
 * Keystrokes go in as {@code send-keys -H}, byte by byte. No terminal is involved, so tmux never
 * queries one and nothing tmux draws or answers reaches the program or corral's clients.
 */
final class TmuxControl {
    private static final Logger log = LoggerFactory.getLogger(TmuxControl.class);
    /** Commands queued for a tmux that is not reading; more are refused. */
    private static final int INPUT_QUEUE = 1024;
    /** Bytes of keystrokes per send-keys command (each is three characters on the line). */
    private static final int KEYS_PER_COMMAND = 1024;
    /** Lines of one command's reply kept; the rest is counted, not kept. */
    private static final int REPLY_LINES = 200;

    /** What the client hears, on its reader thread. */
    interface Listener {
        /** Bytes the pane's program wrote; the buffer is reused after the call. */
        void output(byte[] buffer, int length);

        /** A subscription's value changed (name, then the value after {@code " : "}). */
        void subscription(String name, String value);

        /** The client has gone: {@code reason} is what {@code %exit} said, or null when tmux vanished without it. */
        void ended(String reason);
    }

    /** A command's reply: its lines, and whether tmux called it an error. */
    record Reply(boolean error, List<String> lines) {
        String text() {
            return String.join("\n", lines);
        }
    }

    private final String label;
    private final Process process;
    private final OutputStream in;
    private final ThreadPoolExecutor writer;
    private final CompletableFuture<Reply> first = new CompletableFuture<>();

    private TmuxControl(String label, Process process) {
        this.label = label;
        this.process = process;
        this.in = process.getOutputStream();
        this.writer = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(INPUT_QUEUE), r -> {
            Thread thread = new Thread(r, "tmux-control-write-" + label);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts {@code argv} (a tmux in control mode, with its first commands) and reads it. */
    static TmuxControl start(String label, List<String> argv, Map<String, String> environment, Path cwd, Listener listener)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(cwd.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(environment);
        TmuxControl control = new TmuxControl(label, builder.start());
        Thread reader = new Thread(() -> control.read(listener), "tmux-control-read-" + label);
        reader.setDaemon(true);
        reader.start();
        return control;
    }

    /** The reply to the commands given on the command line, or an IOException when none came in time. */
    Reply firstReply(Duration timeout) throws IOException {
        try {
            return first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            throw new Tmux.Unanswered("tmux did not answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new Tmux.Unanswered(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Tmux.Unanswered("interrupted while waiting for tmux");
        }
    }

    long pid() {
        return process.pid();
    }

    /** Types bytes into the target pane exactly as they are. False when tmux is not keeping up. */
    boolean keys(String target, byte[] bytes) {
        List<String> commands = new ArrayList<>();
        for (int offset = 0; offset < bytes.length; offset += KEYS_PER_COMMAND) {
            StringBuilder line = new StringBuilder("send-keys -t ").append(target).append(" -H");
            for (int i = offset; i < Math.min(bytes.length, offset + KEYS_PER_COMMAND); i++) {
                line.append(' ').append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
            }
            commands.add(line.toString());
        }
        return commands.isEmpty() || send(String.join("\n", commands));
    }

    /** Queues one command line (tmux's own command syntax: give it only words corral made). */
    boolean send(String commandLine) {
        byte[] line = (commandLine + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            writer.execute(() -> {
                try {
                    in.write(line);
                    in.flush();
                } catch (IOException e) {
                    log.debug("command to {} failed: {}", label, e.toString());
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Closes the client's input: tmux then ends the client (the session stays). */
    void close() {
        try {
            writer.execute(this::closeInput);
        } catch (RejectedExecutionException e) {
            closeInput();
        }
        writer.shutdown();
    }

    private void closeInput() {
        try {
            in.close();
        } catch (IOException e) {
            log.debug("closing {} failed: {}", label, e.toString());
        }
    }

    private void read(Listener listener) {
        String exitReason = null;
        boolean exited = false;
        try (InputStream out = new BufferedInputStream(process.getInputStream(), 64 * 1024)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(8192);
            byte[] decoded = new byte[8192];
            List<String> reply = null;
            int replyLines = 0;
            for (int b; (b = out.read()) >= 0; ) {
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                byte[] bytes = line.toByteArray();
                line.reset();
                if (reply != null) {
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    if (text.startsWith("%end ") || text.startsWith("%error ")) {
                        Reply done = new Reply(text.startsWith("%error "), List.copyOf(reply));
                        reply = null;
                        if (!first.complete(done) && done.error()) {
                            log.debug("{}: tmux refused a command: {}", label, done.text());
                        }
                    } else if (replyLines++ < REPLY_LINES) {
                        reply.add(text);
                    }
                } else if (startsWith(bytes, "%output ")) {
                    int space = indexOf(bytes, ' ', 8);
                    if (space > 0) {
                        if (decoded.length < bytes.length) {
                            decoded = new byte[bytes.length];
                        }
                        int n = unescape(bytes, space + 1, decoded);
                        if (n > 0) {
                            listener.output(decoded, n);
                        }
                    }
                } else if (startsWith(bytes, "%begin ")) {
                    reply = new ArrayList<>();
                    replyLines = 0;
                } else if (startsWith(bytes, "%subscription-changed ")) {
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    int colon = text.indexOf(" : ");
                    String[] words = text.split(" ", 3);
                    if (colon > 0 && words.length >= 2) {
                        listener.subscription(words[1], text.substring(colon + 3));
                    }
                } else if (startsWith(bytes, "%exit")) {
                    exited = true;
                    exitReason = new String(bytes, StandardCharsets.UTF_8).substring(5).strip();
                }
            }
        } catch (IOException e) {
            log.debug("{} output ended: {}", label, e.toString());
        }
        writer.shutdownNow();
        closeInput();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        first.completeExceptionally(new IOException(exited ? "tmux ended the client: " + exitReason
                : "tmux ended without a reply (status " + exitStatus() + ")"));
        listener.ended(exited ? exitReason : null);
    }

    private String exitStatus() {
        return process.isAlive() ? "running" : Integer.toString(process.exitValue());
    }

    /** tmux writes bytes below a space and the backslash as {@code \ooo}; everything else is as the program wrote it. */
    static int unescape(byte[] line, int from, byte[] into) {
        int n = 0;
        for (int i = from; i < line.length; i++) {
            byte b = line[i];
            if (b == '\\' && i + 3 < line.length && isOctal(line[i + 1]) && isOctal(line[i + 2]) && isOctal(line[i + 3])) {
                into[n++] = (byte) (((line[i + 1] - '0') << 6) | ((line[i + 2] - '0') << 3) | (line[i + 3] - '0'));
                i += 3;
            } else {
                into[n++] = b;
            }
        }
        return n;
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        if (bytes.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, char c, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
