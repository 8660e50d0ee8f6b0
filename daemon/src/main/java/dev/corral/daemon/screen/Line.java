package dev.corral.daemon.screen;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One row of cells, kept compact: a code point and a packed {@link Style} per cell in two
 * parallel arrays (12 bytes a cell), an underline-colour array and the combining marks only once
 * a cell has one. A wide character's second cell holds {@link #WIDE_TAIL}; {@link #BLANK} is a
 * cell never written (a space). {@code wrapped} says the text goes on in the next row (autowrap),
 * which is what reflow joins again. Not thread-safe; its {@link Screen} guards it.
 */
final class Line {
    static final int BLANK = 0;
    static final int WIDE_TAIL = -1;

    int[] chars;
    /** Null while every cell has the default style. */
    long[] styles;
    /** Null until a cell has an underline colour. */
    int[] underline;
    /** Combining code points after a cell's base character, by column; null until one is written. */
    Map<Integer, String> combining;
    boolean wrapped;

    Line(int width) {
        chars = new int[width];
    }

    int width() {
        return chars.length;
    }

    long style(int x) {
        return styles == null ? 0 : styles[x];
    }

    int underline(int x) {
        return underline == null ? 0 : underline[x];
    }

    String combining(int x) {
        return combining == null ? null : combining.get(x);
    }

    void set(int x, int codePoint, long style, int underlineColour) {
        chars[x] = codePoint;
        if (style != 0 || styles != null) {
            if (styles == null) {
                styles = new long[chars.length];
            }
            styles[x] = style;
        }
        if (underlineColour != 0 || underline != null) {
            if (underline == null) {
                underline = new int[chars.length];
            }
            underline[x] = underlineColour;
        }
        if (combining != null) {
            combining.remove(x);
        }
    }

    void addCombining(int x, int codePoint) {
        if (combining == null) {
            combining = new HashMap<>(4);
        }
        String marks = combining.getOrDefault(x, "");
        // A cell keeps at most a few marks (as tmux's UTF8_SIZE bounds it): a stream of them cannot grow a line.
        if (marks.length() < 16) {
            combining.put(x, marks + Character.toString(codePoint));
        }
    }

    /** Blanks {@code [from, to)} with only the background of {@code style} (erase uses the current background). */
    void clear(int from, int to, long style) {
        from = Math.max(0, from);
        to = Math.min(chars.length, to);
        if (from >= to) {
            return;
        }
        long background = Style.backgroundOnly(style);
        Arrays.fill(chars, from, to, BLANK);
        if (styles != null || background != 0) {
            if (styles == null) {
                styles = new long[chars.length];
            }
            Arrays.fill(styles, from, to, background);
        }
        if (underline != null) {
            Arrays.fill(underline, from, to, 0);
        }
        if (combining != null) {
            for (int x = from; x < to; x++) {
                combining.remove(x);
            }
        }
    }

    /** Copies cell {@code from} of {@code source} into cell {@code to} of this line. */
    void copyCell(Line source, int from, int to) {
        set(to, source.chars[from], source.style(from), source.underline(from));
        String marks = source.combining(from);
        if (marks != null) {
            if (combining == null) {
                combining = new HashMap<>(4);
            }
            combining.put(to, marks);
        }
    }

    /** Moves cells {@code [from, from + count)} to {@code to} within the line (insert and delete characters). */
    void move(int from, int to, int count) {
        if (count <= 0) {
            return;
        }
        System.arraycopy(chars, from, chars, to, count);
        if (styles != null) {
            System.arraycopy(styles, from, styles, to, count);
        }
        if (underline != null) {
            System.arraycopy(underline, from, underline, to, count);
        }
        if (combining != null && !combining.isEmpty()) {
            Map<Integer, String> moved = new HashMap<>(4);
            combining.forEach((x, marks) -> {
                if (x >= from && x < from + count) {
                    moved.put(x - from + to, marks);
                } else if (x < to || x >= to + count) {
                    moved.put(x, marks);
                }
            });
            combining = moved;
        }
    }

    /** Cells up to the last one that is not a default blank (a blank with a background colour counts). */
    int used() {
        for (int x = chars.length - 1; x >= 0; x--) {
            if (chars[x] != BLANK || style(x) != 0) {
                return x + 1;
            }
        }
        return 0;
    }

    /** Cells up to the last one written (tmux's cellused): what reflow moves and wraps. */
    int written() {
        for (int x = chars.length - 1; x >= 0; x--) {
            if (chars[x] != BLANK) {
                return x + 1;
            }
        }
        return 0;
    }

    /** Cells up to the last one with a visible character. */
    int usedText() {
        for (int x = chars.length - 1; x >= 0; x--) {
            if (chars[x] != BLANK && chars[x] != ' ') {
                return x + 1;
            }
        }
        return 0;
    }

    /** A copy {@code width} cells wide, clipped or padded with blanks. */
    Line resized(int width) {
        Line copy = new Line(width);
        int n = Math.min(width, chars.length);
        System.arraycopy(chars, 0, copy.chars, 0, n);
        if (styles != null) {
            copy.styles = Arrays.copyOf(styles, width);
        }
        if (underline != null) {
            copy.underline = Arrays.copyOf(underline, width);
        }
        if (combining != null) {
            combining.forEach((x, marks) -> {
                if (x < width) {
                    if (copy.combining == null) {
                        copy.combining = new HashMap<>(4);
                    }
                    copy.combining.put(x, marks);
                }
            });
        }
        // A wide character cut in half at the new edge becomes a blank.
        if (width > 0 && n == width && width < chars.length && chars[width] == WIDE_TAIL) {
            copy.chars[width - 1] = BLANK;
        }
        copy.wrapped = wrapped;
        return copy;
    }

    /** The line as kept in scrollback: only its used cells, no style array if it has none. */
    Line compacted() {
        Line copy = resized(used());
        if (copy.styles != null && Arrays.stream(copy.styles).allMatch(s -> s == 0)) {
            copy.styles = null;
        }
        if (copy.underline != null && Arrays.stream(copy.underline).allMatch(u -> u == 0)) {
            copy.underline = null;
        }
        copy.wrapped = wrapped;
        return copy;
    }

    /** The plain text of cells {@code [0, end)}: blanks as spaces, wide tails skipped. */
    String text(int end) {
        StringBuilder text = new StringBuilder(end);
        for (int x = 0; x < Math.min(end, chars.length); x++) {
            int c = chars[x];
            if (c == WIDE_TAIL) {
                continue;
            }
            text.appendCodePoint(c == BLANK ? ' ' : c);
            String marks = combining(x);
            if (marks != null) {
                text.append(marks);
            }
        }
        return text.toString();
    }

    /** Bytes this line costs on the heap, roughly (arrays and headers). */
    long footprint() {
        long bytes = 48 + 16 + 4L * chars.length;
        if (styles != null) {
            bytes += 16 + 8L * styles.length;
        }
        if (underline != null) {
            bytes += 16 + 4L * underline.length;
        }
        if (combining != null) {
            bytes += 64 + 64L * combining.size();
        }
        return bytes;
    }
}
