package dev.corral.daemon.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TmuxControlTest {
    private static byte[] decode(byte[] line) {
        byte[] into = new byte[line.length];
        return Arrays.copyOf(into, TmuxControl.unescape(line, 0, into));
    }

    @Test
    void octalEscapesBecomeTheirBytesAndEverythingElseStaysAsItIs() {
        byte[] line = "\\033[38;2;1;2;3mhi\\134 \\015\\012".getBytes(StandardCharsets.ISO_8859_1);
        assertArrayEquals("\u001b[38;2;1;2;3mhi\\ \r\n".getBytes(StandardCharsets.ISO_8859_1), decode(line));
    }

    @Test
    void bytesAboveAsciiPassUnchangedAndAShortEscapeAtTheEndIsKept() {
        byte[] line = {(byte) 0xc3, (byte) 0xa9, '\\', '0', '1'};
        assertArrayEquals(line, decode(line));
    }
}
