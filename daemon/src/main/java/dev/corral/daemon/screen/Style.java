package dev.corral.daemon.screen;

/**
 * A cell's attributes packed in one {@code long}, 0 being the default: foreground in bits 0-25,
 * background in bits 26-51, attribute flags and the underline style above. A colour is 26 bits:
 * its kind in the top two ({@link #DEFAULT}, {@link #BASIC} for SGR 30-37/90-97 as index 0-15,
 * {@link #INDEXED} for {@code 38;5;N} kept as N, {@link #RGB} for 24-bit) and its value in the
 * low 24. The underline colour (SGR 58) is kept beside, in the same 26-bit form.
 */
final class Style {
    private Style() {}

    static final int DEFAULT = 0;
    static final int BASIC = 1;
    static final int INDEXED = 2;
    static final int RGB = 3;

    static final long BOLD = 1L << 52;
    static final long DIM = 1L << 53;
    static final long ITALIC = 1L << 54;
    static final long BLINK = 1L << 55;
    static final long REVERSE = 1L << 56;
    static final long HIDDEN = 1L << 57;
    static final long STRIKE = 1L << 58;
    static final long OVERLINE = 1L << 59;
    private static final int UNDERLINE_SHIFT = 60;
    static final long UNDERLINE_MASK = 7L << UNDERLINE_SHIFT;
    private static final long COLOUR_MASK = (1L << 26) - 1;

    static int colour(int kind, int value) {
        return kind << 24 | (value & 0xffffff);
    }

    static int kind(int colour) {
        return colour >>> 24 & 3;
    }

    static int value(int colour) {
        return colour & 0xffffff;
    }

    static int foreground(long style) {
        return (int) (style & COLOUR_MASK);
    }

    static int background(long style) {
        return (int) (style >>> 26 & COLOUR_MASK);
    }

    static long withForeground(long style, int colour) {
        return style & ~COLOUR_MASK | colour;
    }

    static long withBackground(long style, int colour) {
        return style & ~(COLOUR_MASK << 26) | (long) colour << 26;
    }

    /** 0 none, 1 single, 2 double, 3 curly, 4 dotted, 5 dashed (SGR 4:N). */
    static int underlineStyle(long style) {
        return (int) (style >>> UNDERLINE_SHIFT & 7);
    }

    static long withUnderline(long style, int kind) {
        return style & ~UNDERLINE_MASK | (long) (kind & 7) << UNDERLINE_SHIFT;
    }

    static long backgroundOnly(long style) {
        return style & (COLOUR_MASK << 26);
    }

    /** The SGR parameters (no CSI, no 'm') that set {@code style} and {@code underline} from a reset. */
    static String sgr(long style, int underline) {
        StringBuilder s = new StringBuilder("0");
        if ((style & BOLD) != 0) s.append(";1");
        if ((style & DIM) != 0) s.append(";2");
        if ((style & ITALIC) != 0) s.append(";3");
        int u = underlineStyle(style);
        if (u == 1) s.append(";4");
        else if (u > 1) s.append(";4:").append(u);
        if ((style & BLINK) != 0) s.append(";5");
        if ((style & REVERSE) != 0) s.append(";7");
        if ((style & HIDDEN) != 0) s.append(";8");
        if ((style & STRIKE) != 0) s.append(";9");
        if ((style & OVERLINE) != 0) s.append(";53");
        appendColour(s, foreground(style), 30, 90, 38);
        appendColour(s, background(style), 40, 100, 48);
        if (underline != 0) {
            appendColour(s, underline, -1, -1, 58);
        }
        return s.toString();
    }

    private static void appendColour(StringBuilder s, int colour, int basic, int bright, int extended) {
        int value = value(colour);
        switch (kind(colour)) {
            case BASIC -> {
                if (basic < 0) {
                    s.append(';').append(extended).append(":5:").append(value);
                } else {
                    s.append(';').append(value < 8 ? basic + value : bright + value - 8);
                }
            }
            case INDEXED -> s.append(';').append(extended).append(basic < 0 ? ":5:" : ";5;").append(value);
            case RGB -> s.append(';').append(extended).append(basic < 0 ? ":2::" : ";2;")
                    .append(value >> 16 & 0xff).append(basic < 0 ? ':' : ';')
                    .append(value >> 8 & 0xff).append(basic < 0 ? ':' : ';').append(value & 0xff);
            default -> { }
        }
    }
}
