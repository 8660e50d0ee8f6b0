package dev.corral.daemon.screen;

import org.jline.utils.WCWidth;

/**
 * The editing operations of a {@link Screen}: the alternate screen, full and soft resets, erasing
 * the display and lines (the whole primary screen into the scrollback, as tmux does), inserting
 * and deleting lines and characters, and tab stops.
 */
abstract class ScreenEdits extends ScreenGrid {
    ScreenEdits(int cols, int rows, int scrollbackLines) {
        super(cols, rows, scrollbackLines);
    }

    /** The primary screen, shown again at another size, takes the current one ({@link ScreenReflow}). */
    abstract void resizeActive(int newCols, int newRows, boolean reflow);

    void enterAlternate(boolean save) {
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

    void leaveAlternate(boolean restore) {
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

    void fullReset() {
        if (alternate) {
            leaveAlternate(false);
        }
        grid = blankLines(cols, rows);
        cx = 0;
        cy = 0;
        softReset();
        resetTabs();
        newline = false;
        cursorStyle = 0;
        bracketedPaste = false;
        focusEvents = false;
        mouse = 0;
        mouseEncoding = 0;
    }

    /** DECSTR: modes, margins, pen, character sets and the saved cursor as at start; the screen stays. RIS does it too. */
    void softReset() {
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
    void clearScreenIntoHistory() {
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

    void eraseDisplay(int mode) {
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

    void eraseLine(int mode) {
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

    void insertLines(int n) {
        if (cy < top || cy > bottom) {
            return;
        }
        int savedTop = top;
        top = cy;
        scrollDown(Math.min(n, bottom - cy + 1));
        top = savedTop;
    }

    void deleteLines(int n) {
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

    void deleteCharacters(int n) {
        Line line = grid[cy];
        n = Math.min(n, cols - cx);
        line.move(cx + n, cx, cols - cx - n);
        line.clear(cols - n, cols, pen);
        fixWideEdges(line);
    }

    void insertCharacters(int n) {
        Line line = grid[cy];
        n = Math.min(n, cols - cx);
        line.move(cx, cx + n, cols - cx - n);
        line.clear(cx, cx + n, pen);
        fixWideEdges(line);
    }

    /** After cells moved, a wide head without its tail (or a tail without its head) becomes a blank. */
    static void fixWideEdges(Line line) {
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

    void tab(int count) {
        wrapPending = false;
        for (int i = 0; i < count && cx < cols - 1; i++) {
            do {
                cx++;
            } while (cx < cols - 1 && !tabs[cx]);
        }
    }

    void backTab(int count) {
        wrapPending = false;
        for (int i = 0; i < count && cx > 0; i++) {
            do {
                cx--;
            } while (cx > 0 && !tabs[cx]);
        }
    }
}
