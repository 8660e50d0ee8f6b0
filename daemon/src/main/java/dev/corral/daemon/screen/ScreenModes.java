package dev.corral.daemon.screen;

/**
 * The modes and attributes a {@link Screen}'s program sets: DEC private modes (cursor keys,
 * origin, autowrap, mouse and its encodings, focus, bracketed paste, the alternate screen) and
 * SGR (the pen's style, colours and underline colour, with both the ';' and ':' forms), with the
 * parameter defaults of CSI sequences.
 */
abstract class ScreenModes extends ScreenEdits {
    ScreenModes(int cols, int rows, int scrollbackLines) {
        super(cols, rows, scrollbackLines);
    }

    void setPrivateMode(int mode, boolean on) {
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

    static int param(int[] params, int count, int i, int fallback) {
        if (i >= count || params[i] == Parser.MISSING || params[i] == 0) {
            return fallback;
        }
        return params[i];
    }

    static int rawParam(int[] params, int count, int i) {
        return i >= count || params[i] == Parser.MISSING ? 0 : params[i];
    }

    void sgr(int[] params, boolean[] colon, int count) {
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
    static int extendedColour(int[] params, int count, int at, int available, boolean colonForm) {
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
}
