package dev.corral.daemon.agent;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * STOPGAP until sessions keep their screen (the terminal model of the issue "Every session keeps
 * its screen"): a PTY session's recent output as plain text, its last {@code rows} lines standing
 * in for the visible screen. Escape sequences are removed and a cursor move becomes one space, so
 * a full-screen program that redraws in place reads poorly here; tmux sessions use tmux's own
 * screen instead. Replace by the session's screen text once it exists.
 */
final class StreamText {
    /** Plain text kept; older text is dropped from the front. */
    private static final int WINDOW = 64 * 1024;

    private final int rows;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final StringBuilder window = new StringBuilder();
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private int state;

    StreamText(int rows) {
        this.rows = Math.max(1, rows);
    }

    synchronized void feed(byte[] buffer, int length) {
        ByteBuffer in = ByteBuffer.allocate(pending.remaining() + length);
        in.put(pending).put(buffer, 0, length).flip();
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, out, false);
        pending = in.slice();
        out.flip();
        strip(out);
        if (window.length() > WINDOW) {
            window.delete(0, window.length() - WINDOW);
        }
    }

    /** The last {@code rows} lines, trimmed as {@link OutputWatcher#trim} does. */
    synchronized String text() {
        int at = window.length();
        while (at > 0 && window.charAt(at - 1) == '\n') {
            at--;
        }
        int end = at;
        for (int n = 0; n < rows && at > 0; n++) {
            at = window.lastIndexOf("\n", at - 1);
            if (at < 0) {
                at = 0;
                break;
            }
        }
        return OutputWatcher.trim(window.substring(at, end));
    }

    private void strip(CharBuffer in) {
        while (in.hasRemaining()) {
            char c = in.get();
            switch (state) {
                case 0 -> {
                    if (c == 0x1b) {
                        state = 1;
                    } else if (c >= 0x20 || c == '\n' || c == '\t') {
                        window.append(c);
                    }
                }
                case 1 -> state = c == '[' ? 2 : (c == ']' || c == 'P' || c == '_' || c == '^') ? 3 : (c == '(' || c == ')') ? 5 : 0;
                case 2 -> {
                    if (c >= 0x40 && c <= 0x7e) {
                        if (c == 'C' || c == 'H' || c == 'f' || c == 'G') {
                            window.append(' ');
                        }
                        state = 0;
                    }
                }
                case 3 -> state = c == 0x07 ? 0 : c == 0x1b ? 4 : 3;
                case 4 -> state = c == '\\' ? 0 : 3;
                default -> state = 0; // the charset after ESC ( or ESC )
            }
        }
    }
}
