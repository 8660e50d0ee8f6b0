package dev.corral.daemon.screen;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link Screen}'s resize, as tmux does it: the primary screen reflows (wrapped lines join and
 * split again at the new width, the cursor follows its character, rows scroll into or come back
 * from the scrollback), the alternate screen is clipped.
 */
abstract class ScreenReflow extends ScreenModes {
    ScreenReflow(int cols, int rows, int scrollbackLines) {
        super(cols, rows, scrollbackLines);
    }

    // ---- Resize ----

    void resizeActive(int newCols, int newRows, boolean reflow) {
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
    void resizeRows(int newRows) {
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
    void reflow(int newCols) {
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
    static void split(List<Line> physical, int width, List<Line> out) {
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
}
