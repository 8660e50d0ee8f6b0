package dev.corral.client;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The user's terminal during attach: raw mode on, and always back to how it was. Uses stty(1)
 * on /dev/tty, as line-editing libraries do on the JVM, so the client loads no native code.
 */
final class Terminal implements AutoCloseable {
    private static final File TTY = new File("/dev/tty");

    private final String saved;
    private boolean restored;

    private Terminal(String saved) {
        this.saved = saved;
    }

    /**
     * Raw mode when stdin and stdout are a terminal; otherwise a terminal that changes nothing.
     * One process does it all: the settings to restore, the size, then raw mode (a fixed script;
     * each stty started from Java costs a few milliseconds more).
     */
    static Terminal raw() {
        if (System.console() == null) {
            return new Terminal(null);
        }
        String out = run("/bin/sh", "-c", "stty -g && stty size && stty raw -echo");
        String[] lines = out == null ? new String[0] : out.split("\n");
        if (lines.length < 2 || lines[0].isBlank()) {
            if (lines.length >= 1 && !lines[0].isBlank()) {
                stty(lines[0].trim());   // got the settings but not raw mode: leave it as it was
            }
            return new Terminal(null);
        }
        Terminal terminal = new Terminal(lines[0].trim());
        terminal.initialSize = parseSize(lines[1]);
        return terminal;
    }

    /** The size raw() read, handed out once; after that each call asks stty (a resize). */
    private int[] initialSize;

    boolean interactive() {
        return saved != null;
    }

    /** Columns and rows, or {0, 0} when unknown. */
    synchronized int[] size() {
        if (saved == null) {
            return new int[] {0, 0};
        }
        if (initialSize != null) {
            int[] size = initialSize;
            initialSize = null;
            return size;
        }
        String size = stty("size");
        return size == null ? new int[] {0, 0} : parseSize(size);
    }

    /** "ROWS COLS" → {cols, rows}. */
    private static int[] parseSize(String size) {
        String[] parts = size.trim().split("\\s+");
        try {
            return new int[] {Integer.parseInt(parts[1]), Integer.parseInt(parts[0])};
        } catch (RuntimeException e) {
            return new int[] {0, 0};
        }
    }

    /** Puts the terminal back; safe to call more than once and from a signal handler. */
    @Override
    public synchronized void close() {
        if (saved != null && !restored) {
            restored = true;
            stty(saved);
        }
    }

    private static String stty(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "stty";
        System.arraycopy(args, 0, argv, 1, args.length);
        return run(argv);
    }

    private static String run(String... argv) {
        try {
            Process process = new ProcessBuilder(argv).redirectInput(TTY)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return process.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
