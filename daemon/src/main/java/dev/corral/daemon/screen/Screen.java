package dev.corral.daemon.screen;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a session's terminal shows, kept from every byte its program writes, the way tmux keeps
 * a grid per pane: an xterm-compatible terminal (the {@link Parser} feeding a grid of
 * {@link Line}s) with the primary and alternate screens, a bounded scrollback, the cursor, the
 * modes and the title. Attach redraws a client from it ({@link #redraw}), {@code corral screen}
 * prints it ({@link #snapshot}, {@link #ansiRows}), readiness and responders read its
 * {@link #text}; the {@link #version} moves with every change.
 *
 * <p>Behaviour follows tmux 3.3a where terminals differ (the conformance tests compare with it):
 * the erase colour is the current background, clearing the whole primary screen scrolls its
 * used lines into the scrollback, a resize reflows the primary screen and clips the alternate.
 * At the scrollback bound the oldest line is dropped. Queries (DA, DSR, OSC colour queries) are
 * not answered: the attached terminal answers them live, and they are never kept.
 *
 * <p>Thread-safe: every method holds the screen's monitor, so a session's reader thread can feed
 * it while another thread takes a snapshot.
 *
 * <p>This class is the parser's dispatch (C0 controls, ESC, CSI and OSC, in {@link Terminal}) and
 * the public face; the model is in layers, each one job on the state of the lowest: the grid and
 * its primitives ({@link ScreenGrid}), editing ({@link ScreenEdits}), modes and SGR attributes
 * ({@link ScreenModes}), resize and reflow ({@link ScreenReflow}), rendering and the redraw
 * ({@link ScreenRender}). Layers rather than objects, because every operation of a terminal
 * reads and writes the same cursor, pen and grid at once (as in tmux's {@code screen-write.c}
 * over one {@code struct screen}); splitting that state would put a lookup in the output path
 * of every byte.
 */
public final class Screen extends ScreenRender {
    public static final int DEFAULT_SCROLLBACK = 2000;
    public static final int MAX_SIZE = 10_000;

    private final Parser parser = new Parser(new Terminal());

    public Screen(int cols, int rows) {
        this(cols, rows, DEFAULT_SCROLLBACK);
    }

    public Screen(int cols, int rows, int scrollbackLines) {
        super(cols, rows, scrollbackLines);
    }

    // ---- The interface ----

    public synchronized void feed(byte[] bytes, int offset, int length) {
        if (length <= 0) {
            return;
        }
        parser.feed(bytes, offset, length);
        version++;
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    public synchronized void feed(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            feed(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            buffer.position(buffer.limit());
        } else {
            byte[] copy = new byte[buffer.remaining()];
            buffer.get(copy);
            feed(copy);
        }
    }

    /** Changes with every byte fed and every resize; equal versions mean an unchanged screen. */
    public synchronized long version() {
        return version;
    }

    public synchronized int cols() {
        return cols;
    }

    public synchronized int rows() {
        return rows;
    }

    public synchronized String title() {
        return title;
    }

    public synchronized int scrollbackSize() {
        return scrollback.size();
    }

    synchronized int underlineColour(int x, int y) {
        return grid[y].underline(x);
    }

    /** The cursor stands in the last column waiting to wrap (xterm's last-column flag). */
    synchronized boolean wrapPending() {
        return wrapPending;
    }

    public synchronized void resize(int newCols, int newRows) {
        newCols = clampSize(newCols);
        newRows = clampSize(newRows);
        if (newCols == cols && newRows == rows) {
            return;
        }
        resizeActive(newCols, newRows, !alternate);
        version++;
    }

    /** Rough heap bytes of the cells this screen keeps (both screens and the scrollback). */
    public synchronized long footprint() {
        long bytes = 512L + 8L * cols;
        for (Line line : grid) {
            bytes += line.footprint();
        }
        if (savedPrimary != null) {
            for (Line line : savedPrimary) {
                bytes += line.footprint();
            }
        }
        for (Line line : scrollback) {
            bytes += line.footprint() + 8;
        }
        return bytes;
    }

    private final class Terminal implements Parser.Handler {
        @Override
        public void print(int codePoint) {
            Screen.this.print(codePoint);
        }

        @Override
        public void execute(int control) {
            switch (control) {
                case 0x08 -> {
                    if (wrapPending) {
                        wrapPending = false;
                    } else if (cx > 0) {
                        cx--;
                    }
                }
                case 0x09 -> tab(1);
                case 0x0a, 0x0b, 0x0c -> {
                    lineFeed();
                    if (newline) {
                        cx = 0;
                    }
                }
                case 0x0d -> {
                    cx = 0;
                    wrapPending = false;
                }
                case 0x0e -> shift = 1;
                case 0x0f -> shift = 0;
                default -> { }
            }
        }

        @Override
        public void escDispatch(int intermediates, int finalByte) {
            if (intermediates == '(' || intermediates == ')') {
                int slot = intermediates == '(' ? 0 : 1;
                charsets[slot] = finalByte == '0' ? DEC_GRAPHICS : finalByte == 'A' ? UK : ASCII;
                return;
            }
            if (intermediates == '#') {
                if (finalByte == '8') {
                    for (Line line : grid) {
                        line.clear(0, cols, 0);
                        for (int x = 0; x < cols; x++) {
                            line.set(x, 'E', 0, 0);
                        }
                    }
                    setCursor(0, 0);
                }
                return;
            }
            if (intermediates != 0) {
                return;
            }
            switch (finalByte) {
                case '7' -> saveCursor();
                case '8' -> restoreCursor();
                case 'D' -> lineFeed();
                case 'E' -> {
                    lineFeed();
                    cx = 0;
                }
                case 'H' -> tabs[Math.min(cx, cols - 1)] = true;
                case 'M' -> reverseIndex();
                case 'c' -> fullReset();
                case '=' -> applicationKeypad = true;
                case '>' -> applicationKeypad = false;
                default -> { }
            }
        }

        @Override
        public void csiDispatch(int prefix, int[] params, boolean[] colon, int count, int intermediates, int finalByte) {
            if (prefix == '?') {
                if ((finalByte == 'h' || finalByte == 'l') && intermediates == 0) {
                    for (int i = 0; i < count; i++) {
                        setPrivateMode(rawParam(params, count, i), finalByte == 'h');
                    }
                }
                return;
            }
            if (prefix != 0) {
                return;
            }
            if (intermediates != 0) {
                if (intermediates == ' ' && finalByte == 'q') {
                    int style = rawParam(params, count, 0);
                    cursorStyle = style <= 6 ? style : 0;
                } else if (intermediates == '!' && finalByte == 'p') {
                    softReset();
                }
                return;
            }
            int n = param(params, count, 0, 1);
            switch (finalByte) {
                case '@' -> insertCharacters(n);
                case 'A' -> setCursorRaw(cx, Math.max(cy - n, cy >= top ? top : 0));
                case 'B', 'e' -> setCursorRaw(cx, Math.min(cy + n, cy <= bottom ? bottom : rows - 1));
                case 'C', 'a' -> setCursorRaw(Math.min(cx + n, cols - 1), cy);
                case 'D' -> setCursorRaw(Math.max(Math.min(cx, cols - 1) - n, 0), cy);
                case 'E' -> setCursorRaw(0, Math.min(cy + n, cy <= bottom ? bottom : rows - 1));
                case 'F' -> setCursorRaw(0, Math.max(cy - n, cy >= top ? top : 0));
                case 'G', '`' -> setCursorRaw(Math.min(n - 1, cols - 1), cy);
                case 'H', 'f' -> setCursor(param(params, count, 1, 1) - 1, n - 1);
                case 'd' -> setCursor(cx, n - 1);
                case 'I' -> tab(n);
                case 'Z' -> backTab(n);
                case 'J' -> eraseDisplay(rawParam(params, count, 0));
                case 'K' -> eraseLine(rawParam(params, count, 0));
                case 'L' -> insertLines(n);
                case 'M' -> deleteLines(n);
                case 'P' -> deleteCharacters(n);
                case 'X' -> {
                    grid[cy].clear(cx, Math.min(cols, cx + n), pen);
                    fixWideEdges(grid[cy]);
                }
                case 'S' -> scrollUp(n);
                case 'T' -> {
                    if (count <= 1) {
                        scrollDown(n);
                    }
                }
                case 'b' -> {
                    if (lastPrinted >= 0) {
                        int times = Math.min(n, cols * rows);
                        for (int i = 0; i < times; i++) {
                            Screen.this.print(lastPrinted);
                        }
                    }
                }
                case 'g' -> {
                    int mode = rawParam(params, count, 0);
                    if (mode == 0) {
                        tabs[Math.min(cx, cols - 1)] = false;
                    } else if (mode == 3) {
                        Arrays.fill(tabs, false);
                    }
                }
                case 'h', 'l' -> {
                    for (int i = 0; i < count; i++) {
                        int mode = rawParam(params, count, i);
                        if (mode == 4) {
                            insert = finalByte == 'h';
                        } else if (mode == 20) {
                            newline = finalByte == 'h';
                        }
                    }
                }
                case 'm' -> sgr(params, colon, count);
                case 'r' -> {
                    int t = param(params, count, 0, 1) - 1;
                    int b = param(params, count, 1, rows) - 1;
                    b = Math.min(b, rows - 1);
                    if (t < b) {
                        top = t;
                        bottom = b;
                        setCursor(0, 0);
                    }
                }
                case 's' -> saveCursor();
                case 'u' -> restoreCursor();
                default -> { }
            }
            if (finalByte != 'm' && finalByte != 'b' && finalByte != 'h' && finalByte != 'l') {
                lastPrinted = -1;
            }
        }

        private void setCursorRaw(int x, int y) {
            wrapPending = false;
            cx = Math.max(0, Math.min(x, cols - 1));
            cy = Math.max(0, Math.min(y, rows - 1));
        }

        @Override
        public void oscDispatch(byte[] data, int length) {
            int semicolon = -1;
            for (int i = 0; i < length; i++) {
                if (data[i] == ';') {
                    semicolon = i;
                    break;
                }
            }
            if (semicolon < 0) {
                return;
            }
            String command = new String(data, 0, semicolon, StandardCharsets.US_ASCII);
            if (command.equals("0") || command.equals("2")) {
                String text = new String(data, semicolon + 1, length - semicolon - 1, StandardCharsets.UTF_8);
                // Control characters in a title would be sent again on redraw; drop them.
                title = text.codePoints().filter(c -> c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f))
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            }
        }
    }
}
