package dev.corral.daemon.screen;

import java.util.ArrayDeque;
import org.jline.utils.WCWidth;

/**
 * The grid under a {@link Screen}: its state (both screens' lines, the scrollback, the cursor,
 * the pen, the character sets, the modes, the scroll region and tabs) and the terminal's
 * primitives on it: scrolling into the scrollback, line feeds, printing a character (wide ones,
 * combining marks, autowrap, the DEC graphics set) and the cursor with DECSC/DECRC. The layers
 * above edit it ({@link ScreenEdits}), set modes and attributes ({@link ScreenModes}), resize it
 * ({@link ScreenReflow}) and render it ({@link ScreenRender}); {@link Screen} parses into them.
 * Not thread-safe by itself: {@link Screen}'s monitor guards every call.
 */
abstract class ScreenGrid {
    static final int ASCII = 0;
    static final int DEC_GRAPHICS = 1;
    static final int UK = 2;
    static final String DEC_GRAPHICS_TABLE =
            "\u00a0\u25c6\u2592\u2409\u240c\u240d\u240a\u00b0\u00b1\u2424\u240b\u2518\u2510\u250c\u2514\u253c"
                    + "\u23ba\u23bb\u2500\u23bc\u23bd\u251c\u2524\u2534\u252c\u2502\u2264\u2265\u03c0\u2260\u00a3\u00b7";

    final int scrollbackLimit;
    int cols;
    int rows;
    /** Oldest first. Only the primary screen has one. */
    final ArrayDeque<Line> scrollback = new ArrayDeque<>();
    /** Scrollback lines that scrolled off the top (not cleared away), which a taller resize brings back. */
    int scrolled;
    Line[] grid;
    /** The primary screen while the alternate one is shown, and its size then. */
    Line[] savedPrimary;
    int primaryCols;
    int primaryRows;
    boolean alternate;

    int cx;
    int cy;
    boolean wrapPending;
    long pen;
    int penUnderline;
    final int[] charsets = {ASCII, ASCII};
    int shift;
    Cursor saved = Cursor.HOME;
    Cursor savedOnPrimary = Cursor.HOME;
    int top;
    int bottom;
    boolean[] tabs;
    int lastPrinted = -1;

    boolean applicationCursor;
    boolean applicationKeypad;
    boolean originMode;
    boolean autowrap = true;
    boolean insert;
    boolean newline;
    boolean cursorVisible = true;
    int cursorStyle;
    boolean bracketedPaste;
    boolean focusEvents;
    int mouse;
    int mouseEncoding;
    String title = "";
    long version;

    /** Where DECSC put the cursor, with the pen and character sets then. */
    record Cursor(int x, int y, long pen, int underline, int g0, int g1, int shift, boolean origin) {
        static final Cursor HOME = new Cursor(0, 0, 0, 0, ASCII, ASCII, 0, false);
    }

    ScreenGrid(int cols, int rows, int scrollbackLines) {
        this.cols = clampSize(cols);
        this.rows = clampSize(rows);
        this.scrollbackLimit = Math.max(0, scrollbackLines);
        this.grid = blankLines(this.cols, this.rows);
        this.bottom = this.rows - 1;
        resetTabs();
    }

    static int clampSize(int size) {
        return Math.max(1, Math.min(Screen.MAX_SIZE, size));
    }

    static Line[] blankLines(int width, int count) {
        Line[] lines = new Line[count];
        for (int i = 0; i < count; i++) {
            lines[i] = new Line(width);
        }
        return lines;
    }

    // ---- The terminal ----

    void resetTabs() {
        tabs = new boolean[cols];
        for (int x = 8; x < cols; x += 8) {
            tabs[x] = true;
        }
    }

    void pushScrollback(Line line) {
        if (scrollbackLimit == 0) {
            return;
        }
        scrollback.addLast(line.compacted());
        if (scrollback.size() > scrollbackLimit) {
            scrollback.pollFirst();
        }
        scrolled = Math.min(scrolled, scrollback.size());
    }

    void scrollUp(int n) {
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

    void scrollDown(int n) {
        n = Math.min(n, bottom - top + 1);
        for (int i = 0; i < n; i++) {
            System.arraycopy(grid, top, grid, top + 1, bottom - top);
            Line fresh = new Line(cols);
            fresh.clear(0, cols, pen);
            grid[top] = fresh;
        }
    }

    void lineFeed() {
        wrapPending = false;
        if (cy == bottom) {
            scrollUp(1);
        } else if (cy < rows - 1) {
            cy++;
        }
    }

    void reverseIndex() {
        wrapPending = false;
        if (cy == top) {
            scrollDown(1);
        } else if (cy > 0) {
            cy--;
        }
    }

    int width(int codePoint) {
        if (codePoint < 0x7f) {
            return 1;
        }
        int w = WCWidth.wcwidth(codePoint);
        return w < 0 ? 1 : w;
    }

    void print(int codePoint) {
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

    void combine(int codePoint) {
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

    void setCursor(int x, int y) {
        wrapPending = false;
        cx = Math.max(0, Math.min(x, cols - 1));
        int low = originMode ? top : 0;
        int high = originMode ? bottom : rows - 1;
        cy = Math.max(low, Math.min(y + (originMode ? top : 0), high));
    }

    void saveCursor() {
        saved = new Cursor(cx, cy, pen, penUnderline, charsets[0], charsets[1], shift, originMode);
    }

    void restoreCursor() {
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
}
