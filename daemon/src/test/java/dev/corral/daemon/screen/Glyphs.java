package dev.corral.daemon.screen;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Rows as a list of "glyph{style}" entries, a form both tmux's {@code capture-pane -p -e} output
 * and corral's cells can be turned into, independently of how each spells its SGR sequences.
 * Trailing spaces are dropped whatever their style (tmux trims them). Cells tmux marks with its
 * ACS character set (between SO and SI) are mapped through the DEC line-drawing table, which the
 * model applies when it prints.
 */
final class Glyphs {
    private Glyphs() {}

    private static final String DEC = "\u00a0\u25c6\u2592\u2409\u240c\u240d\u240a\u00b0\u00b1\u2424\u240b\u2518\u2510"
            + "\u250c\u2514\u253c\u23ba\u23bb\u2500\u23bc\u23bd\u251c\u2524\u2534\u252c\u2502\u2264\u2265\u03c0\u2260\u00a3\u00b7";

    /** A style: colours as kind+value ("b1", "i200", "rff0000"), attributes by name. */
    static final class Pen {
        String fg = "";
        String bg = "";
        String us = "";
        TreeSet<String> attrs = new TreeSet<>();

        String key() {
            return (fg.isEmpty() ? "" : "fg=" + fg + " ") + (bg.isEmpty() ? "" : "bg=" + bg + " ")
                    + (us.isEmpty() ? "" : "us=" + us + " ") + String.join(",", attrs);
        }
    }

    /** Parses capture-pane -p -e rows; the pen carries from one row to the next, as tmux writes it. */
    static List<List<String>> fromTmux(List<String> rows) {
        List<List<String>> out = new ArrayList<>();
        Pen pen = new Pen();
        boolean acs = false;
        for (String row : rows) {
            List<String> glyphs = new ArrayList<>();
            int i = 0;
            while (i < row.length()) {
                char c = row.charAt(i);
                if (c == 0x1b && i + 1 < row.length() && row.charAt(i + 1) == '[') {
                    int end = i + 2;
                    while (end < row.length() && (row.charAt(end) < 0x40 || row.charAt(end) > 0x7e)) {
                        end++;
                    }
                    if (end < row.length() && row.charAt(end) == 'm') {
                        applySgr(pen, row.substring(i + 2, end));
                    }
                    i = end + 1;
                    continue;
                }
                if (c == 0x1b && i + 1 < row.length() && row.charAt(i + 1) == ']') {
                    int end = row.indexOf("\u001b\\", i);
                    i = end < 0 ? row.length() : end + 2;
                    continue;
                }
                if (c == 0x0e) {
                    acs = true;
                    i++;
                    continue;
                }
                if (c == 0x0f) {
                    acs = false;
                    i++;
                    continue;
                }
                int cp = row.codePointAt(i);
                i += Character.charCount(cp);
                if (acs && cp >= 0x5f && cp <= 0x7e) {
                    cp = DEC.charAt(cp - 0x5f);
                }
                if (Character.getType(cp) == Character.NON_SPACING_MARK || cp == 0x200d || cp == 0xfe0f
                        || cp == 0x200b) {
                    if (!glyphs.isEmpty()) {
                        String last = glyphs.remove(glyphs.size() - 1);
                        int brace = last.indexOf('{');
                        glyphs.add(last.substring(0, brace) + Character.toString(cp) + last.substring(brace));
                    }
                    continue;
                }
                glyphs.add(Character.toString(cp) + "{" + pen.key() + "}");
            }
            out.add(trim(glyphs));
        }
        return out;
    }

    static List<List<String>> fromScreen(Screen screen) {
        List<List<String>> out = new ArrayList<>();
        for (int y = 0; y < screen.rows(); y++) {
            out.add(fromLine(screen, y));
        }
        return out;
    }

    private static List<String> fromLine(Screen screen, int y) {
        long[] styles = screen.styles(y);
        String[] cells = screen.cellTexts(y);
        List<String> glyphs = new ArrayList<>();
        for (int x = 0; x < cells.length; x++) {
            if (cells[x] == null) {
                continue;
            }
            glyphs.add(cells[x] + "{" + key(styles[x], screen.underlineColour(x, y)) + "}");
        }
        return trim(glyphs);
    }

    private static List<String> trim(List<String> glyphs) {
        while (!glyphs.isEmpty() && glyphs.get(glyphs.size() - 1).startsWith(" {")) {
            glyphs.remove(glyphs.size() - 1);
        }
        return glyphs;
    }

    static String key(long style, int underline) {
        Pen pen = new Pen();
        pen.fg = colour(Style.foreground(style));
        pen.bg = colour(Style.background(style));
        pen.us = colour(underline);
        if ((style & Style.BOLD) != 0) pen.attrs.add("bold");
        if ((style & Style.DIM) != 0) pen.attrs.add("dim");
        if ((style & Style.ITALIC) != 0) pen.attrs.add("italic");
        if ((style & Style.BLINK) != 0) pen.attrs.add("blink");
        if ((style & Style.REVERSE) != 0) pen.attrs.add("reverse");
        if ((style & Style.HIDDEN) != 0) pen.attrs.add("hidden");
        if ((style & Style.STRIKE) != 0) pen.attrs.add("strike");
        if ((style & Style.OVERLINE) != 0) pen.attrs.add("overline");
        int u = Style.underlineStyle(style);
        if (u > 0) pen.attrs.add("ul" + u);
        return pen.key();
    }

    private static String colour(int colour) {
        int value = Style.value(colour);
        return switch (Style.kind(colour)) {
            case Style.BASIC -> "b" + value;
            case Style.INDEXED -> "i" + value;
            case Style.RGB -> String.format("r%06x", value);
            default -> "";
        };
    }

    /** An SGR parameter string as tmux writes it (';' between, ':' inside 4:N and colour forms). */
    static void applySgr(Pen pen, String params) {
        String[] parts = params.isEmpty() ? new String[] {"0"} : params.split(";", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            String[] sub = part.split(":", -1);
            int p = sub[0].isEmpty() ? 0 : Integer.parseInt(sub[0]);
            switch (p) {
                case 0 -> {
                    pen.fg = "";
                    pen.bg = "";
                    pen.us = "";
                    pen.attrs.clear();
                }
                case 1 -> pen.attrs.add("bold");
                case 2 -> pen.attrs.add("dim");
                case 3 -> pen.attrs.add("italic");
                case 4 -> {
                    pen.attrs.removeIf(a -> a.startsWith("ul"));
                    int kind = sub.length > 1 ? Integer.parseInt(sub[1]) : 1;
                    if (kind > 0) pen.attrs.add("ul" + kind);
                }
                // tmux 3.3a writes SGR 53 as "5:3" (it splits every code above 9 that way).
                case 5 -> pen.attrs.add(sub.length > 1 && sub[1].equals("3") ? "overline" : "blink");
                case 7 -> pen.attrs.add("reverse");
                case 8 -> pen.attrs.add("hidden");
                case 9 -> pen.attrs.add("strike");
                case 53 -> pen.attrs.add("overline");
                case 39 -> pen.fg = "";
                case 49 -> pen.bg = "";
                case 59 -> pen.us = "";
                case 38, 48, 58 -> {
                    String value;
                    if (sub.length > 1) {
                        value = sub[1].equals("5") ? "i" + Integer.parseInt(sub[2])
                                : String.format("r%02x%02x%02x", Integer.parseInt(sub[sub.length - 3]),
                                        Integer.parseInt(sub[sub.length - 2]), Integer.parseInt(sub[sub.length - 1]));
                    } else if (parts[i + 1].equals("5")) {
                        value = "i" + Integer.parseInt(parts[i + 2]);
                        i += 2;
                    } else {
                        value = String.format("r%02x%02x%02x", Integer.parseInt(parts[i + 2]),
                                Integer.parseInt(parts[i + 3]), Integer.parseInt(parts[i + 4]));
                        i += 4;
                    }
                    if (p == 38) pen.fg = value;
                    else if (p == 48) pen.bg = value;
                    else pen.us = value;
                }
                default -> {
                    if (p >= 30 && p <= 37) pen.fg = "b" + (p - 30);
                    else if (p >= 40 && p <= 47) pen.bg = "b" + (p - 40);
                    else if (p >= 90 && p <= 97) pen.fg = "b" + (p - 90 + 8);
                    else if (p >= 100 && p <= 107) pen.bg = "b" + (p - 100 + 8);
                }
            }
        }
    }
}
