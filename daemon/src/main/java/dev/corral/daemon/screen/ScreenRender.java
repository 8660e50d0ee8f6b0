package dev.corral.daemon.screen;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link Screen} shows, rendered: its modes, snapshot, text, scrollback and rows with
 * their attributes for readers, and the redraw that makes a client's terminal show the same
 * (cells, modes, scroll region, title, saved and current cursor and pen).
 */
abstract class ScreenRender extends ScreenReflow {
    ScreenRender(int cols, int rows, int scrollbackLines) {
        super(cols, rows, scrollbackLines);
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

    static String resetModes() {
        return "\033[0m\033[r\033[?6l\033[?7h\033[4l\033[20l\033[?1l\033>\033[?1000l\033[?1002l\033[?1003l"
                + "\033[?1005l\033[?1006l\033[?1015l\033[?1004l\033[?2004l\033(B\033)B\017";
    }

    String currentModes(boolean withCursor) {
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
    String cup(int x, int y) {
        return "\033[" + (y + 1) + ';' + (x + 1) + 'H';
    }

    static String charsetDesignation(int slot, int set) {
        char which = slot == 0 ? '(' : ')';
        return switch (set) {
            case DEC_GRAPHICS -> "\033" + which + "0";
            case UK -> "\033" + which + "A";
            default -> "\033" + which + "B";
        };
    }

    static void appendCells(StringBuilder out, Line line, int end, boolean resetAtEnd) {
        appendCells(out, line, 0, end, resetAtEnd);
    }

    static void appendCells(StringBuilder out, Line line, int from, int end, boolean resetAtEnd) {
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

    static String stripTrailingSpaces(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == ' ') {
            end--;
        }
        return text.substring(0, end);
    }
}
