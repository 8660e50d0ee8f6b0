package dev.corral.daemon.screen;

/**
 * The DEC ANSI parser: Paul Williams' VT500 state machine (the one tmux's {@code input.c} and
 * the {@code vte} crate follow), turning a byte stream into printable code points, controls and
 * escape, CSI and OSC sequences for a {@link Handler}. UTF-8 is decoded in the ground state; a
 * malformed sequence prints U+FFFD, as tmux does. Everything a peer controls is bounded: at most
 * {@link #MAX_PARAMS} parameters, {@link #MAX_OSC} bytes of an OSC string (the rest is dropped),
 * DCS and APC strings are consumed and ignored. Not thread-safe; its {@link Screen} guards it.
 */
final class Parser {
    static final int MAX_PARAMS = 32;
    static final int MAX_OSC = 4096;
    /** A parameter that was not given. */
    static final int MISSING = -1;

    /** What the parser recognises, in the order the bytes arrived. */
    interface Handler {
        void print(int codePoint);

        void execute(int control);

        /** {@code intermediates} packs up to two intermediate bytes, the first in the low byte. */
        void escDispatch(int intermediates, int finalByte);

        /**
         * {@code params[0..count)}, {@link #MISSING} where empty; {@code colon[i]} says parameter
         * i followed a ':' (a sub-parameter of the one before). {@code prefix} is the private
         * marker ('?', '>', '<', '=') or 0.
         */
        void csiDispatch(int prefix, int[] params, boolean[] colon, int count, int intermediates, int finalByte);

        void oscDispatch(byte[] data, int length);
    }

    private enum State {
        GROUND, ESCAPE, ESCAPE_INTERMEDIATE, CSI_ENTRY, CSI_PARAM, CSI_INTERMEDIATE, CSI_IGNORE,
        DCS_ENTRY, DCS_PARAM, DCS_INTERMEDIATE, DCS_PASSTHROUGH, DCS_IGNORE, OSC_STRING, STRING_IGNORE
    }

    private final Handler handler;
    private State state = State.GROUND;
    private final int[] params = new int[MAX_PARAMS];
    private final boolean[] colon = new boolean[MAX_PARAMS];
    private int paramCount;
    private int prefix;
    private int intermediates;
    private int intermediateCount;
    private final byte[] osc = new byte[MAX_OSC];
    private int oscLength;
    private int utf8CodePoint;
    private int utf8Needed;
    private int utf8Min;

    Parser(Handler handler) {
        this.handler = handler;
    }

    void feed(byte[] bytes, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            advance(bytes[i] & 0xff);
        }
    }

    /** True when the parser is in the ground state with no partial UTF-8 character. */
    boolean idle() {
        return state == State.GROUND && utf8Needed == 0;
    }

    void reset() {
        state = State.GROUND;
        utf8Needed = 0;
    }

    private void advance(int b) {
        if (state == State.GROUND) {
            ground(b);
            return;
        }
        // Anywhere transitions.
        if (b == 0x18 || b == 0x1a) {
            if (state == State.OSC_STRING) {
                oscLength = 0;
            }
            handler.execute(b);
            state = State.GROUND;
            return;
        }
        if (b == 0x1b) {
            if (state == State.OSC_STRING) {
                // ESC \ (ST) ends it; any other ESC ends it too, as in xterm.
                handler.oscDispatch(osc, oscLength);
            }
            enterEscape();
            return;
        }
        switch (state) {
            case ESCAPE -> escape(b);
            case ESCAPE_INTERMEDIATE -> escapeIntermediate(b);
            case CSI_ENTRY, CSI_PARAM -> csiParam(b);
            case CSI_INTERMEDIATE -> csiIntermediate(b);
            case CSI_IGNORE -> {
                if (b < 0x20) {
                    handler.execute(b);
                } else if (b >= 0x40 && b <= 0x7e) {
                    state = State.GROUND;
                }
            }
            case DCS_ENTRY, DCS_PARAM, DCS_INTERMEDIATE -> {
                if (b >= 0x40 && b <= 0x7e) {
                    state = State.DCS_PASSTHROUGH;
                } else if (b == 0x3a && state == State.DCS_ENTRY) {
                    state = State.DCS_IGNORE;
                }
            }
            case DCS_PASSTHROUGH, DCS_IGNORE, STRING_IGNORE -> { }
            case OSC_STRING -> {
                if (b == 0x07) {
                    handler.oscDispatch(osc, oscLength);
                    state = State.GROUND;
                } else if (b >= 0x20 && oscLength < MAX_OSC) {
                    osc[oscLength++] = (byte) b;
                }
            }
            default -> state = State.GROUND;
        }
    }

    private void ground(int b) {
        if (b < 0x80) {
            if (utf8Needed > 0) {
                utf8Needed = 0;
                handler.print(0xfffd);
            }
            if (b == 0x1b) {
                enterEscape();
            } else if (b < 0x20 || b == 0x7f) {
                if (b != 0x7f) {
                    handler.execute(b);
                }
            } else {
                handler.print(b);
            }
            return;
        }
        if (utf8Needed > 0) {
            if ((b & 0xc0) == 0x80) {
                utf8CodePoint = (utf8CodePoint << 6) | (b & 0x3f);
                if (--utf8Needed == 0) {
                    int cp = utf8CodePoint;
                    boolean bad = cp < utf8Min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff);
                    handler.print(bad ? 0xfffd : cp);
                }
                return;
            }
            utf8Needed = 0;
            handler.print(0xfffd);
        }
        if (b >= 0xc2 && b <= 0xdf) {
            utf8CodePoint = b & 0x1f;
            utf8Needed = 1;
            utf8Min = 0x80;
        } else if (b >= 0xe0 && b <= 0xef) {
            utf8CodePoint = b & 0x0f;
            utf8Needed = 2;
            utf8Min = 0x800;
        } else if (b >= 0xf0 && b <= 0xf4) {
            utf8CodePoint = b & 0x07;
            utf8Needed = 3;
            utf8Min = 0x10000;
        } else {
            handler.print(0xfffd);
        }
    }

    private void enterEscape() {
        if (utf8Needed > 0) {
            utf8Needed = 0;
            handler.print(0xfffd);
        }
        state = State.ESCAPE;
        intermediates = 0;
        intermediateCount = 0;
    }

    private void collect(int b) {
        if (intermediateCount < 2) {
            intermediates |= b << (8 * intermediateCount);
        }
        intermediateCount++;
    }

    private void escape(int b) {
        if (b < 0x20) {
            handler.execute(b);
        } else if (b <= 0x2f) {
            collect(b);
            state = State.ESCAPE_INTERMEDIATE;
        } else if (b == '[') {
            startParams();
            state = State.CSI_ENTRY;
        } else if (b == ']') {
            oscLength = 0;
            state = State.OSC_STRING;
        } else if (b == 'P') {
            startParams();
            state = State.DCS_ENTRY;
        } else if (b == 'X' || b == '^' || b == '_' || b == 'k') {
            // SOS, PM, APC and screen's title string: consumed and ignored.
            state = State.STRING_IGNORE;
        } else if (b <= 0x7e) {
            handler.escDispatch(0, b);
            state = State.GROUND;
        } else {
            state = State.GROUND;
        }
    }

    private void escapeIntermediate(int b) {
        if (b < 0x20) {
            handler.execute(b);
        } else if (b <= 0x2f) {
            collect(b);
        } else if (b <= 0x7e) {
            if (intermediateCount <= 2) {
                handler.escDispatch(intermediates, b);
            }
            state = State.GROUND;
        } else {
            state = State.GROUND;
        }
    }

    private void startParams() {
        paramCount = 0;
        prefix = 0;
        intermediates = 0;
        intermediateCount = 0;
        params[0] = MISSING;
        colon[0] = false;
    }

    private void csiParam(int b) {
        if (b < 0x20) {
            handler.execute(b);
        } else if (b >= '0' && b <= '9') {
            if (paramCount == 0) {
                paramCount = 1;
            }
            int i = paramCount - 1;
            int value = params[i] == MISSING ? 0 : params[i];
            params[i] = Math.min(value * 10 + (b - '0'), 65535);
            state = State.CSI_PARAM;
        } else if (b == ';' || b == ':') {
            if (paramCount == 0) {
                paramCount = 1;
            }
            if (paramCount == MAX_PARAMS) {
                state = State.CSI_IGNORE;
                return;
            }
            params[paramCount] = MISSING;
            colon[paramCount] = b == ':';
            paramCount++;
            state = State.CSI_PARAM;
        } else if (b >= 0x3c && b <= 0x3f) {
            if (state == State.CSI_ENTRY && prefix == 0) {
                prefix = b;
            } else {
                state = State.CSI_IGNORE;
            }
        } else if (b <= 0x2f) {
            collect(b);
            state = State.CSI_INTERMEDIATE;
        } else if (b <= 0x7e) {
            dispatchCsi(b);
        } else {
            state = State.CSI_IGNORE;
        }
    }

    private void csiIntermediate(int b) {
        if (b < 0x20) {
            handler.execute(b);
        } else if (b <= 0x2f) {
            collect(b);
        } else if (b <= 0x3f) {
            state = State.CSI_IGNORE;
        } else if (b <= 0x7e) {
            dispatchCsi(b);
        } else {
            state = State.CSI_IGNORE;
        }
    }

    private void dispatchCsi(int finalByte) {
        state = State.GROUND;
        if (intermediateCount > 2) {
            return;
        }
        handler.csiDispatch(prefix, params, colon, paramCount, intermediates, finalByte);
    }
}
