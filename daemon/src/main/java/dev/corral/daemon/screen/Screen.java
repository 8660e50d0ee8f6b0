package dev.corral.daemon.screen;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.jline.utils.WCWidth;

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
 */
public final class Screen {
    public static final int DEFAULT_SCROLLBACK = 2000;
    public static final int MAX_SIZE = 10_000;

    private static final int ASCII = 0;
    private static final int DEC_GRAPHICS = 1;
    private static final int UK = 2;
    private static final String DEC_GRAPHICS_TABLE =
            "\u00a0\u25c6\u2592\u2409\u240c\u240d\u240a\u00b0\u00b1\u2424\u240b\u2518\u2510\u250c\u2514\u253c"
                    + "\u23ba\u23bb\u2500\u23bc\u23bd\u251c\u2524\u2534\u252c\u2502\u2264\u2265\u03c0\u2260\u00a3\u00b7";

    private final int scrollbackLimit;
    private final Parser parser = new Parser(new Terminal());
    private int cols;
    private int rows;
    /** Oldest first. Only the primary screen has one. */
    private final ArrayDeque<Line> scrollback = new ArrayDeque<>();
    /** Scrollback lines that scrolled off the top (not cleared away), which a taller resize brings back. */
    private int scrolled;
    private Line[] grid;
    /** The primary screen while the alternate one is shown, and its size then. */
    private Line[] savedPrimary;
    private int primaryCols;
    private int primaryRows;
    private boolean alternate;

    private int cx;
    private int cy;
    private boolean wrapPending;
    private long pen;
    private int penUnderline;
    private final int[] charsets = {ASCII, ASCII};
    private int shift;
    private Cursor saved = Cursor.HOME;
    private Cursor savedOnPrimary = Cursor.HOME;
    private int top;
    private int bottom;
    private boolean[] tabs;
    private int lastPrinted = -1;

    private boolean applicationCursor;
    private boolean applicationKeypad;
    private boolean originMode;
    private boolean autowrap = true;
    private boolean insert;
    private boolean newline;
    private boolean cursorVisible = true;
    private int cursorStyle;
    private boolean bracketedPaste;
    private boolean focusEvents;
    private int mouse;
    private int mouseEncoding;
    private String title = "";
    private long version;

    /** Where DECSC put the cursor, with the pen and character sets then. */
    private record Cursor(int x, int y, long pen, int underline, int g0, int g1, int shift, boolean origin) {
        static final Cursor HOME = new Cursor(0, 0, 0, 0, ASCII, ASCII, 0, false);
    }

    public Screen(int cols, int rows) {
        this(cols, rows, DEFAULT_SCROLLBACK);
    }

    public Screen(int cols, int rows, int scrollbackLines) {
        this.cols = clampSize(cols);
        this.rows = clampSize(rows);
        this.scrollbackLimit = Math.max(0, scrollbackLines);
        this.grid = blankLines(this.cols, this.rows);
        this.bottom = this.rows - 1;
        resetTabs();
    }

    private static int clampSize(int size) {
        return Math.max(1, Math.min(MAX_SIZE, size));
    }

    private static Line[] blankLines(int width, int count) {
        Line[] lines = new Line[count];
        for (int i = 0; i < count; i++) {
            lines[i] = new Line(width);
        }
        return lines;
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

    public synchronized Modes modes() {
        return new Modes(alternate, applicationCursor, applicationKeypad, bracketedPaste,
                switch (mouse) {
                    case 1000 -> "press";
                    case 1002 -> "drag";
                    case 1003 -> "motion";
                    default -> "off";
                },
                switch (mouseEncoding) {
                    case 1005 -> "utf8";
                    case 1006 -> "sgr";
                    case 1015 -> "urxvt";
                    default -> "default";
                },
                focusEvents, cursorVisible, cursorStyle, originMode, autowrap, insert, newline);
    }

    public synchronized ScreenSnapshot snapshot() {
        List<String> lines = new ArrayList<>(rows);
        for (Line line : grid) {
            lines.add(stripTrailingSpaces(line.text(line.width())));
        }
        return new ScreenSnapshot(cols, rows, List.copyOf(lines), Math.min(cx, cols - 1), cy, title, modes(), version);
    }

    /** The visible text, one line per row, trailing blanks and blank rows at the bottom trimmed. */
    public synchronized String text() {
        StringBuilder text = new StringBuilder();
        int last = rows - 1;
        while (last >= 0 && grid[last].usedText() == 0) {
            last--;
        }
        for (int y = 0; y <= last; y++) {
            text.append(stripTrailingSpaces(grid[y].text(grid[y].width()))).append('\n');
        }
        return text.toString();
    }

    /** The last {@code count} scrollback lines as text, oldest first. */
    public synchronized List<String> scrollbackText(int count) {
        List<String> lines = new ArrayList<>();
        int skip = Math.max(0, scrollback.size() - count);
        for (Line line : scrollback) {
            if (skip-- > 0) {
                continue;
            }
            lines.add(stripTrailingSpaces(line.text(line.width())));
        }
        return lines;
    }

    /**
     * Each visible row with its attributes as SGR sequences, like {@code tmux capture-pane -p -e}
     * but starting from a reset on every row and ending with one, trailing blanks trimmed.
     */
    public synchronized List<String> ansiRows() {
        List<String> out = new ArrayList<>(rows);
        for (Line line : grid) {
            StringBuilder row = new StringBuilder();
            appendCells(row, line, line.used(), true);
            out.add(row.toString());
        }
        return out;
    }

    /** The cells of row {@code y}: code point (0 blank, -1 wide tail) and style, for tests and readers. */
    synchronized long[] styles(int y) {
        Line line = grid[y];
        long[] styles = new long[cols];
        for (int x = 0; x < cols; x++) {
            styles[x] = line.style(x);
        }
        return styles;
    }

    /** Row {@code y} cell by cell: its text (base and combining marks, a space if blank), null for a wide tail. */
    synchronized String[] cellTexts(int y) {
        Line line = grid[y];
        String[] cells = new String[cols];
        for (int x = 0; x < cols; x++) {
            int c = line.chars[x];
            if (c != Line.WIDE_TAIL) {
                String marks = line.combining(x);
                cells[x] = Character.toString(c == Line.BLANK ? ' ' : c) + (marks == null ? "" : marks);
            }
        }
        return cells;
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

    /**
     * Bytes that make a terminal of this size show this screen: a reset of every mode this
     * model tracks, the last {@code scrollbackLines} scrollback lines (primary screen only),
     * the cells with their attributes, then the modes in force, the scroll region, the title,
     * the saved and the current cursor and the current pen, so that output that follows lands
     * as it would have.
     */
    public synchronized byte[] redraw(int scrollbackLines) {
        StringBuilder out = new StringBuilder(cols * rows * 2 + 256);
        out.append(resetModes());
        if (alternate) {
            out.append("\033[?1049h\033[H\033[2J");
            for (int y = 0; y < rows; y++) {
                int used = grid[y].used();
                if (used > 0) {
                    out.append("\033[").append(y + 1).append(";1H");
                    appendCells(out, grid[y], used, true);
                }
            }
        } else {
            // One flow of lines: the scrollback ones scroll off the top into the terminal's own
            // scrollback, and the last rows lines, the screen, stay in view.
            out.append("\033[H\033[2J");
            int skip = Math.max(0, scrollback.size() - Math.max(0, scrollbackLines));
            for (Line line : scrollback) {
                if (skip-- <= 0) {
                    appendCells(out, line, Math.min(cols, line.used()), true);
                    out.append("\r\n");
                }
            }
            for (int y = 0; y < rows; y++) {
                appendCells(out, grid[y], grid[y].used(), true);
                if (y < rows - 1) {
                    out.append("\r\n");
                }
            }
        }
        out.append(currentModes(true));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Only the modes in force (for an attach without the picture, so keys and paste still work). */
    public synchronized byte[] modesOnly() {
        return (resetModes() + currentModes(false)).getBytes(StandardCharsets.UTF_8);
    }

    /** What a client's terminal needs to be put back as it was before any program touched it. */
    public static String terminalRestore() {
        return "\033[?1049l\033[?25h\033[?1l\033>\033[?1000l\033[?1002l\033[?1003l\033[?1005l\033[?1006l\033[?1015l"
                + "\033[?1004l\033[?2004l\033[r\033[0m\033[ q\033(B\017";
    }

    private static String resetModes() {
        return "\033[0m\033[r\033[?6l\033[?7h\033[4l\033[20l\033[?1l\033>\033[?1000l\033[?1002l\033[?1003l"
                + "\033[?1005l\033[?1006l\033[?1015l\033[?1004l\033[?2004l\033(B\033)B\017";
    }

    private String currentModes(boolean withCursor) {
        StringBuilder out = new StringBuilder();
        if (alternate && !withCursor) {
            out.append("\033[?1049h");
        }
        if (applicationCursor) out.append("\033[?1h");
        if (applicationKeypad) out.append("\033=");
        if (mouse != 0) out.append("\033[?").append(mouse).append('h');
        if (mouseEncoding != 0) out.append("\033[?").append(mouseEncoding).append('h');
        if (focusEvents) out.append("\033[?1004h");
        if (bracketedPaste) out.append("\033[?2004h");
        if (insert) out.append("\033[4h");
        if (newline) out.append("\033[20h");
        if (cursorStyle != 0) out.append("\033[").append(cursorStyle).append(" q");
        if (!title.isEmpty()) out.append("\033]2;").append(title).append('\007');
        if (!withCursor) {
            out.append(cursorVisible ? "\033[?25h" : "\033[?25l");
            return out.toString();
        }
        if (top != 0 || bottom != rows - 1) {
            out.append("\033[").append(top + 1).append(';').append(bottom + 1).append('r');
        }
        // DECSC state: the saved cursor with its pen, saved by the terminal itself.
        Cursor save = saved;
        out.append("\033[").append(Math.min(save.y(), rows - 1) + 1).append(';')
                .append(Math.min(save.x(), cols - 1) + 1).append('H');
        out.append("\033[").append(Style.sgr(save.pen(), save.underline())).append('m');
        out.append(charsetDesignation(0, save.g0())).append(charsetDesignation(1, save.g1()))
                .append(save.shift() == 1 ? '\016' : '\017');
        out.append("\0337");
        if (!autowrap) out.append("\033[?7l");
        if (originMode) out.append("\033[?6h");
        int x = Math.min(cx, cols - 1);
        if (wrapPending && autowrap) {
            // Write the last cell again so the terminal, too, waits to wrap.
            Line line = grid[cy];
            int from = line.chars[x] == Line.WIDE_TAIL && x > 0 ? x - 1 : x;
            out.append(cup(from, cy));
            appendCells(out, line, from, x + 1, false);
        } else {
            out.append(cup(x, cy));
        }
        out.append("\033[").append(Style.sgr(pen, penUnderline)).append('m');
        out.append(charsetDesignation(0, charsets[0])).append(charsetDesignation(1, charsets[1]))
                .append(shift == 1 ? '\016' : '\017');
        out.append(cursorVisible ? "\033[?25h" : "\033[?25l");
        return out.toString();
    }

    /** A cursor position in origin-mode-free terms, for a terminal whose origin mode is still off. */
    private String cup(int x, int y) {
        return "\033[" + (y + 1) + ';' + (x + 1) + 'H';
    }

    private static String charsetDesignation(int slot, int set) {
        char which = slot == 0 ? '(' : ')';
        return switch (set) {
            case DEC_GRAPHICS -> "\033" + which + "0";
            case UK -> "\033" + which + "A";
            default -> "\033" + which + "B";
        };
    }

    private static void appendCells(StringBuilder out, Line line, int end, boolean resetAtEnd) {
        appendCells(out, line, 0, end, resetAtEnd);
    }

    private static void appendCells(StringBuilder out, Line line, int from, int end, boolean resetAtEnd) {
        long current = 0;
        int currentUnderline = 0;
        boolean styled = false;
        if (from > 0 || !resetAtEnd) {
            out.append("\033[0m");
        }
        for (int x = from; x < Math.min(end, line.width()); x++) {
            int c = line.chars[x];
            if (c == Line.WIDE_TAIL) {
                continue;
            }
            long style = line.style(x);
            int underline = line.underline(x);
            if (style != current || underline != currentUnderline) {
                out.append("\033[").append(Style.sgr(style, underline)).append('m');
                current = style;
                currentUnderline = underline;
                styled = true;
            }
            out.appendCodePoint(c == Line.BLANK ? ' ' : c);
            String marks = line.combining(x);
            if (marks != null) {
                out.append(marks);
            }
        }
        if (styled && resetAtEnd) {
            out.append("\033[0m");
        }
    }

    private static String stripTrailingSpaces(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == ' ') {
            end--;
        }
        return text.substring(0, end);
    }

    // ---- Resize ----

    private void resizeActive(int newCols, int newRows, boolean reflow) {
        boolean widthChanged = newCols != cols;
        if (newRows != rows) {
            resizeRows(newRows);
        }
        if (widthChanged) {
            if (reflow) {
                reflow(newCols);
            } else {
                wrapPending = false;
                for (int y = 0; y < grid.length; y++) {
                    grid[y] = grid[y].resized(newCols);
                }
                cols = newCols;
                cx = Math.min(cx, cols - 1);
            }
            resetTabs();
        }
        top = 0;
        bottom = rows - 1;
        cx = Math.min(cx, cols - 1);
        cy = Math.max(0, Math.min(cy, rows - 1));
    }

    /** tmux's screen_resize_y: shrink by dropping rows below the cursor, then into the scrollback; grow by pulling scrolled lines back. */
    private void resizeRows(int newRows) {
        List<Line> lines = new ArrayList<>(Arrays.asList(grid));
        if (newRows < rows) {
            int needed = rows - newRows;
            int available = Math.min(needed, rows - 1 - cy);
            for (int i = 0; i < available; i++) {
                lines.remove(lines.size() - 1);
            }
            needed -= available;
            if (needed > 0) {
                if (!alternate) {
                    for (int i = 0; i < needed; i++) {
                        pushScrollback(lines.remove(0));
                        scrolled++;
                    }
                    cy -= needed;
                } else {
                    int fromTop = Math.min(cy, needed);
                    for (int i = 0; i < fromTop; i++) {
                        lines.remove(0);
                    }
                    cy -= fromTop;
                    while (lines.size() > newRows) {
                        lines.remove(lines.size() - 1);
                    }
                }
            }
        } else {
            int needed = newRows - rows;
            if (!alternate) {
                int pulled = Math.min(needed, Math.min(scrolled, scrollback.size()));
                for (int i = 0; i < pulled; i++) {
                    lines.add(0, scrollback.pollLast().resized(cols));
                }
                scrolled -= pulled;
                cy += pulled;
                needed -= pulled;
            }
            for (int i = 0; i < needed; i++) {
                lines.add(new Line(cols));
            }
        }
        grid = lines.toArray(new Line[0]);
        rows = newRows;
        cy = Math.max(0, Math.min(cy, rows - 1));
    }

    /** tmux's grid_reflow: logical lines (rows joined while wrapped) laid out again at the new width. */
    private void reflow(int newCols) {
        List<Line> all = new ArrayList<>(scrollback.size() + rows);
        all.addAll(scrollback);
        int historySize = all.size();
        all.addAll(Arrays.asList(grid));
        int absY = historySize + cy;
        // The cursor as (logical line, offset in it), MAX_VALUE for "at the end", as tmux's grid_wrap_position.
        int wrapY = 0;
        int wrapX = 0;
        for (int y = 0; y < absY; y++) {
            if (all.get(y).wrapped) {
                wrapX += all.get(y).written();
            } else {
                wrapX = 0;
                wrapY++;
            }
        }
        int cursorX = wrapPending ? cols : cx;
        wrapX = cursorX >= all.get(absY).written() ? Integer.MAX_VALUE : wrapX + cursorX;

        List<Line> out = new ArrayList<>(all.size());
        int i = 0;
        while (i < all.size()) {
            Line logical = all.get(i);
            int start = i;
            while (all.get(i).wrapped && i + 1 < all.size()) {
                i++;
            }
            i++;
            if (start + 1 == i) {
                // One physical line: unchanged if it fits, else split.
                if (logical.written() <= newCols) {
                    Line moved = logical.resized(newCols);
                    out.add(moved);
                    continue;
                }
            }
            split(all.subList(start, i), newCols, out);
        }
        while (out.size() < rows) {
            out.add(new Line(newCols));
        }
        int newHistory = out.size() - rows;
        scrollback.clear();
        for (int y = 0; y < newHistory; y++) {
            scrollback.add(out.get(y).compacted());
        }
        while (scrollback.size() > scrollbackLimit) {
            scrollback.pollFirst();
            newHistory--;
        }
        List<Line> visible = out.subList(out.size() - rows, out.size());
        grid = visible.toArray(new Line[0]);
        cols = newCols;
        scrolled = Math.min(scrolled, scrollback.size());

        // Back from (logical line, offset) to a row and column, as tmux's grid_unwrap_position.
        List<Line> laid = new ArrayList<>(scrollback);
        laid.addAll(Arrays.asList(grid));
        int y = 0;
        int logicalLine = 0;
        for (; y < laid.size() - 1; y++) {
            if (logicalLine == wrapY) {
                break;
            }
            if (!laid.get(y).wrapped) {
                logicalLine++;
            }
        }
        int x;
        if (wrapX == Integer.MAX_VALUE) {
            while (laid.get(y).wrapped && y < laid.size() - 1) {
                y++;
            }
            x = laid.get(y).written();
        } else {
            x = wrapX;
            while (laid.get(y).wrapped && y < laid.size() - 1) {
                if (x < laid.get(y).written()) {
                    break;
                }
                x -= laid.get(y).written();
                y++;
            }
        }
        int history = scrollback.size();
        if (y >= history) {
            // tmux leaves the cursor one past a full line: waiting to wrap.
            cx = Math.min(x, cols - 1);
            wrapPending = x >= cols && autowrap;
            cy = y - history;
        } else {
            cx = 0;
            cy = 0;
        }
    }

    /** Lays the used cells of {@code physical} (one logical line) into rows {@code width} wide. */
    private static void split(List<Line> physical, int width, List<Line> out) {
        Line row = new Line(width);
        int x = 0;
        for (int p = 0; p < physical.size(); p++) {
            Line source = physical.get(p);
            int used = source.written();
            for (int sx = 0; sx < used; sx++) {
                int c = source.chars[sx];
                if (c == Line.WIDE_TAIL) {
                    continue;
                }
                int w = sx + 1 < used && source.chars[sx + 1] == Line.WIDE_TAIL ? 2 : 1;
                if (x + w > width) {
                    row.wrapped = true;
                    out.add(row);
                    row = new Line(width);
                    x = 0;
                }
                if (w > width) {
                    continue;
                }
                row.copyCell(source, sx, x);
                if (c == Line.BLANK) {
                    // A gap inside the written part is a space once moved, as in tmux's grid.
                    row.chars[x] = ' ';
                }
                if (w == 2) {
                    row.copyCell(source, sx + 1, x + 1);
                }
                x += w;
            }
        }
        row.wrapped = physical.get(physical.size() - 1).wrapped;
        out.add(row);
    }

    // ---- The terminal ----

    private void resetTabs() {
        tabs = new boolean[cols];
        for (int x = 8; x < cols; x += 8) {
            tabs[x] = true;
        }
    }

    private void pushScrollback(Line line) {
        if (scrollbackLimit == 0) {
            return;
        }
        scrollback.addLast(line.compacted());
        if (scrollback.size() > scrollbackLimit) {
            scrollback.pollFirst();
        }
        scrolled = Math.min(scrolled, scrollback.size());
    }

    private void scrollUp(int n) {
        n = Math.min(n, bottom - top + 1);
        for (int i = 0; i < n; i++) {
            Line gone = grid[top];
            // As tmux: on the primary screen the top line of any scroll region goes to the scrollback.
            if (!alternate) {
                pushScrollback(gone);
                scrolled = Math.min(scrolled + 1, scrollback.size());
            }
            System.arraycopy(grid, top + 1, grid, top, bottom - top);
            Line fresh = new Line(cols);
            fresh.clear(0, cols, pen);
            grid[bottom] = fresh;
        }
    }

    private void scrollDown(int n) {
        n = Math.min(n, bottom - top + 1);
        for (int i = 0; i < n; i++) {
            System.arraycopy(grid, top, grid, top + 1, bottom - top);
            Line fresh = new Line(cols);
            fresh.clear(0, cols, pen);
            grid[top] = fresh;
        }
    }

    private void lineFeed() {
        wrapPending = false;
        if (cy == bottom) {
            scrollUp(1);
        } else if (cy < rows - 1) {
            cy++;
        }
    }

    private void reverseIndex() {
        wrapPending = false;
        if (cy == top) {
            scrollDown(1);
        } else if (cy > 0) {
            cy--;
        }
    }

    private int width(int codePoint) {
        if (codePoint < 0x7f) {
            return 1;
        }
        int w = WCWidth.wcwidth(codePoint);
        return w < 0 ? 1 : w;
    }

    private void print(int codePoint) {
        int set = charsets[shift];
        if (set == DEC_GRAPHICS && codePoint >= 0x5f && codePoint <= 0x7e) {
            codePoint = DEC_GRAPHICS_TABLE.charAt(codePoint - 0x5f);
        } else if (set == UK && codePoint == '#') {
            codePoint = 0xa3;
        }
        int w = width(codePoint);
        if (w == 0) {
            combine(codePoint);
            return;
        }
        if (w > cols) {
            return;
        }
        if (wrapPending && autowrap) {
            grid[cy].wrapped = true;
            lineFeed();
            cx = 0;
        }
        wrapPending = false;
        if (cx + w > cols) {
            if (autowrap) {
                grid[cy].wrapped = true;
                lineFeed();
                cx = 0;
            } else {
                cx = cols - w;
            }
        }
        Line line = grid[cy];
        if (insert) {
            line.move(cx, cx + w, cols - cx - w);
        }
        // Overwriting half of a wide character blanks its other half.
        if (line.chars[cx] == Line.WIDE_TAIL && cx > 0) {
            line.chars[cx - 1] = Line.BLANK;
        }
        if (cx + w < cols && line.chars[cx + w] == Line.WIDE_TAIL) {
            line.chars[cx + w] = Line.BLANK;
        }
        line.set(cx, codePoint, pen, penUnderline);
        if (w == 2) {
            line.set(cx + 1, Line.WIDE_TAIL, pen, penUnderline);
        }
        lastPrinted = codePoint;
        cx += w;
        if (cx >= cols) {
            cx = cols - 1;
            wrapPending = autowrap;
        }
    }

    private void combine(int codePoint) {
        int x;
        if (wrapPending) {
            x = cx;
        } else if (cx > 0) {
            x = cx - 1;
        } else {
            return;
        }
        Line line = grid[cy];
        if (line.chars[x] == Line.WIDE_TAIL && x > 0) {
            x--;
        }
        if (line.chars[x] == Line.BLANK) {
            return;
        }
        line.addCombining(x, codePoint);
    }

    private void setCursor(int x, int y) {
        wrapPending = false;
        cx = Math.max(0, Math.min(x, cols - 1));
        int low = originMode ? top : 0;
        int high = originMode ? bottom : rows - 1;
        cy = Math.max(low, Math.min(y + (originMode ? top : 0), high));
    }

    private void saveCursor() {
        saved = new Cursor(cx, cy, pen, penUnderline, charsets[0], charsets[1], shift, originMode);
    }

    private void restoreCursor() {
        Cursor c = saved;
        pen = c.pen();
        penUnderline = c.underline();
        charsets[0] = c.g0();
        charsets[1] = c.g1();
        shift = c.shift();
        originMode = c.origin();
        wrapPending = false;
        cx = Math.min(c.x(), cols - 1);
        cy = Math.min(c.y(), rows - 1);
    }

    private void enterAlternate(boolean save) {
        if (alternate) {
            return;
        }
        if (save) {
            saveCursor();
        }
        savedOnPrimary = saved;
        savedPrimary = grid;
        primaryCols = cols;
        primaryRows = rows;
        grid = blankLines(cols, rows);
        alternate = true;
        wrapPending = false;
    }

    private void leaveAlternate(boolean restore) {
        if (!alternate) {
            return;
        }
        int newCols = cols;
        int newRows = rows;
        // As tmux: back to the primary at its size then, then resized (and reflowed) to the current one.
        grid = savedPrimary;
        savedPrimary = null;
        cols = primaryCols;
        rows = primaryRows;
        alternate = false;
        saved = savedOnPrimary;
        if (restore) {
            restoreCursor();
        } else {
            cx = Math.min(cx, cols - 1);
            cy = Math.min(cy, rows - 1);
        }
        if (tabs.length != cols) {
            resetTabs();
        }
        if (newCols != cols || newRows != rows) {
            resizeActive(newCols, newRows, true);
        }
        top = 0;
        bottom = rows - 1;
        wrapPending = false;
    }

    private void fullReset() {
        if (alternate) {
            leaveAlternate(false);
        }
        grid = blankLines(cols, rows);
        cx = 0;
        cy = 0;
        wrapPending = false;
        pen = 0;
        penUnderline = 0;
        charsets[0] = ASCII;
        charsets[1] = ASCII;
        shift = 0;
        saved = Cursor.HOME;
        top = 0;
        bottom = rows - 1;
        resetTabs();
        applicationCursor = false;
        applicationKeypad = false;
        originMode = false;
        autowrap = true;
        insert = false;
        newline = false;
        cursorVisible = true;
        cursorStyle = 0;
        bracketedPaste = false;
        focusEvents = false;
        mouse = 0;
        mouseEncoding = 0;
    }

    private void softReset() {
        cursorVisible = true;
        insert = false;
        originMode = false;
        autowrap = true;
        applicationCursor = false;
        applicationKeypad = false;
        top = 0;
        bottom = rows - 1;
        pen = 0;
        penUnderline = 0;
        charsets[0] = ASCII;
        charsets[1] = ASCII;
        shift = 0;
        saved = Cursor.HOME;
        wrapPending = false;
    }

    /** ED 2, or ED 0 from home, on the primary screen: the used rows scroll into the scrollback first (tmux's scroll-on-clear). */
    private void clearScreenIntoHistory() {
        int last = 0;
        for (int y = 0; y < rows; y++) {
            if (grid[y].used() != 0) {
                last = y + 1;
            }
        }
        for (int y = 0; y < last; y++) {
            pushScrollback(grid[y]);
        }
        for (int y = 0; y < rows; y++) {
            Line fresh = new Line(cols);
            fresh.clear(0, cols, pen);
            grid[y] = fresh;
        }
        scrolled = 0;
    }

    private void eraseDisplay(int mode) {
        switch (mode) {
            case 0 -> {
                if (cx == 0 && cy == 0 && !alternate && !wrapPending) {
                    clearScreenIntoHistory();
                    return;
                }
                grid[cy].clear(wrapPending ? cols : cx, cols, pen);
                grid[cy].wrapped = false;
                for (int y = cy + 1; y < rows; y++) {
                    grid[y].clear(0, cols, pen);
                    grid[y].wrapped = false;
                }
            }
            case 1 -> {
                for (int y = 0; y < cy; y++) {
                    grid[y].clear(0, cols, pen);
                    grid[y].wrapped = false;
                }
                grid[cy].clear(0, cx + 1, pen);
            }
            case 2 -> {
                if (!alternate) {
                    clearScreenIntoHistory();
                } else {
                    for (int y = 0; y < rows; y++) {
                        grid[y].clear(0, cols, pen);
                        grid[y].wrapped = false;
                    }
                }
            }
            case 3 -> {
                scrollback.clear();
                scrolled = 0;
            }
            default -> { }
        }
    }

    private void eraseLine(int mode) {
        Line line = grid[cy];
        switch (mode) {
            case 0 -> {
                line.clear(cx, cols, pen);
                line.wrapped = false;
            }
            case 1 -> line.clear(0, cx + 1, pen);
            case 2 -> {
                line.clear(0, cols, pen);
                line.wrapped = false;
            }
            default -> { }
        }
    }

    private void insertLines(int n) {
        if (cy < top || cy > bottom) {
            return;
        }
        int savedTop = top;
        top = cy;
        scrollDown(Math.min(n, bottom - cy + 1));
        top = savedTop;
    }

    private void deleteLines(int n) {
        if (cy < top || cy > bottom) {
            return;
        }
        int savedTop = top;
        top = cy;
        // Lines deleted inside a region never go to the scrollback.
        boolean wasAlternate = alternate;
        alternate = true;
        scrollUp(Math.min(n, bottom - cy + 1));
        alternate = wasAlternate;
        top = savedTop;
    }

    private void deleteCharacters(int n) {
        Line line = grid[cy];
        n = Math.min(n, cols - cx);
        line.move(cx + n, cx, cols - cx - n);
        line.clear(cols - n, cols, pen);
        fixWideEdges(line);
    }

    private void insertCharacters(int n) {
        Line line = grid[cy];
        n = Math.min(n, cols - cx);
        line.move(cx, cx + n, cols - cx - n);
        line.clear(cx, cx + n, pen);
        fixWideEdges(line);
    }

    /** After cells moved, a wide head without its tail (or a tail without its head) becomes a blank. */
    private static void fixWideEdges(Line line) {
        for (int x = 0; x < line.width(); x++) {
            if (line.chars[x] == Line.WIDE_TAIL && (x == 0 || line.chars[x - 1] == Line.BLANK
                    || line.chars[x - 1] == Line.WIDE_TAIL)) {
                line.chars[x] = Line.BLANK;
            }
        }
        int last = line.width() - 1;
        if (last >= 0 && line.chars[last] != Line.WIDE_TAIL && line.chars[last] != Line.BLANK
                && WCWidth.wcwidth(line.chars[last]) == 2) {
            line.chars[last] = Line.BLANK;
        }
    }

    private void tab(int count) {
        wrapPending = false;
        for (int i = 0; i < count && cx < cols - 1; i++) {
            do {
                cx++;
            } while (cx < cols - 1 && !tabs[cx]);
        }
    }

    private void backTab(int count) {
        wrapPending = false;
        for (int i = 0; i < count && cx > 0; i++) {
            do {
                cx--;
            } while (cx > 0 && !tabs[cx]);
        }
    }

    private void setPrivateMode(int mode, boolean on) {
        switch (mode) {
            case 1 -> applicationCursor = on;
            case 6 -> {
                originMode = on;
                setCursor(0, 0);
            }
            case 7 -> autowrap = on;
            case 25 -> cursorVisible = on;
            case 47, 1047 -> {
                if (on) {
                    enterAlternate(false);
                } else {
                    leaveAlternate(false);
                }
            }
            case 1048 -> {
                if (on) {
                    saveCursor();
                } else {
                    restoreCursor();
                }
            }
            case 1049 -> {
                if (on) {
                    enterAlternate(true);
                } else {
                    leaveAlternate(true);
                }
            }
            case 9, 1000, 1002, 1003 -> {
                if (on) {
                    mouse = mode == 9 ? 1000 : mode;
                } else {
                    mouse = 0;
                }
            }
            case 1005, 1006, 1015 -> {
                if (on) {
                    mouseEncoding = mode;
                } else if (mouseEncoding == mode) {
                    mouseEncoding = 0;
                }
            }
            case 1004 -> focusEvents = on;
            case 2004 -> bracketedPaste = on;
            default -> { }
        }
    }

    private static int param(int[] params, int count, int i, int fallback) {
        if (i >= count || params[i] == Parser.MISSING || params[i] == 0) {
            return fallback;
        }
        return params[i];
    }

    private static int rawParam(int[] params, int count, int i) {
        return i >= count || params[i] == Parser.MISSING ? 0 : params[i];
    }

    private void sgr(int[] params, boolean[] colon, int count) {
        if (count == 0) {
            pen = 0;
            penUnderline = 0;
            return;
        }
        int i = 0;
        while (i < count) {
            int p = params[i] == Parser.MISSING ? 0 : params[i];
            // The sub-parameters (after ':') that belong to this one.
            int subs = 0;
            while (i + 1 + subs < count && colon[i + 1 + subs]) {
                subs++;
            }
            int next = i + 1 + subs;
            switch (p) {
                case 0 -> {
                    pen = 0;
                    penUnderline = 0;
                }
                case 1 -> pen |= Style.BOLD;
                case 2 -> pen |= Style.DIM;
                case 3 -> pen |= Style.ITALIC;
                case 4 -> pen = Style.withUnderline(pen, subs > 0 ? Math.min(rawParam(params, count, i + 1), 5) : 1);
                case 5, 6 -> pen |= Style.BLINK;
                case 7 -> pen |= Style.REVERSE;
                case 8 -> pen |= Style.HIDDEN;
                case 9 -> pen |= Style.STRIKE;
                case 21 -> pen = Style.withUnderline(pen, 2);
                case 22 -> pen &= ~(Style.BOLD | Style.DIM);
                case 23 -> pen &= ~Style.ITALIC;
                case 24 -> pen = Style.withUnderline(pen, 0);
                case 25 -> pen &= ~Style.BLINK;
                case 27 -> pen &= ~Style.REVERSE;
                case 28 -> pen &= ~Style.HIDDEN;
                case 29 -> pen &= ~Style.STRIKE;
                case 53 -> pen |= Style.OVERLINE;
                case 55 -> pen &= ~Style.OVERLINE;
                case 39 -> pen = Style.withForeground(pen, 0);
                case 49 -> pen = Style.withBackground(pen, 0);
                case 59 -> penUnderline = 0;
                case 38, 48, 58 -> {
                    int colour;
                    if (subs > 0) {
                        colour = extendedColour(params, count, i + 1, subs, true);
                    } else {
                        int kind = rawParam(params, count, i + 1);
                        int needed = kind == 5 ? 2 : kind == 2 ? 4 : 1;
                        colour = extendedColour(params, count, i + 1, Math.min(needed, count - i - 1), false);
                        next = i + 1 + needed;
                    }
                    if (colour >= 0) {
                        if (p == 38) {
                            pen = Style.withForeground(pen, colour);
                        } else if (p == 48) {
                            pen = Style.withBackground(pen, colour);
                        } else {
                            penUnderline = colour;
                        }
                    }
                }
                default -> {
                    if (p >= 30 && p <= 37) {
                        pen = Style.withForeground(pen, Style.colour(Style.BASIC, p - 30));
                    } else if (p >= 40 && p <= 47) {
                        pen = Style.withBackground(pen, Style.colour(Style.BASIC, p - 40));
                    } else if (p >= 90 && p <= 97) {
                        pen = Style.withForeground(pen, Style.colour(Style.BASIC, p - 90 + 8));
                    } else if (p >= 100 && p <= 107) {
                        pen = Style.withBackground(pen, Style.colour(Style.BASIC, p - 100 + 8));
                    }
                }
            }
            i = next;
        }
    }

    /** {@code 5;N} or {@code 2;R;G;B} (with ':' also {@code 2::R:G:B}, a colour space id first); -1 if malformed. */
    private static int extendedColour(int[] params, int count, int at, int available, boolean colonForm) {
        if (available < 1) {
            return -1;
        }
        int kind = rawParam(params, count, at);
        if (kind == 5 && available >= 2) {
            int index = rawParam(params, count, at + 1);
            return index <= 255 ? Style.colour(Style.INDEXED, index) : -1;
        }
        if (kind == 2) {
            int first = at + 1;
            if (colonForm && available >= 5) {
                first = at + 2;
            } else if (available < 4) {
                return -1;
            }
            int r = rawParam(params, count, first);
            int g = rawParam(params, count, first + 1);
            int b = rawParam(params, count, first + 2);
            if (r > 255 || g > 255 || b > 255) {
                return -1;
            }
            return Style.colour(Style.RGB, r << 16 | g << 8 | b);
        }
        return -1;
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
