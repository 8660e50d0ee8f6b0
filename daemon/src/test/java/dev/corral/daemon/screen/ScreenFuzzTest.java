package dev.corral.daemon.screen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random, truncated and hostile streams: nothing escapes the model, its memory stays within the
 * bound its size and scrollback set, and afterwards it still works (a reset and some text show).
 */
@Timeout(120)
class ScreenFuzzTest {
    private static final byte[] PIECES_SOURCE = String.join("\u0000",
            "\u001b[", "\u001b]", "\u001bP", "\u001b(0", "\u001b)0", "\u000e", "\u000f", "\u001b[?1049h", "\u001b[?1049l",
            "\u001b[?47h", "\u001b[?1047l", "\u001b[5;10r", "\u001b[r", "\u001b[L", "\u001b[99M", "\u001b[65535@",
            "\u001b[65535P", "\u001b[2J", "\u001b[3J", "\u001b[H", "\u001b[99;99H", "\u001bM", "\u001bD", "\u001bE",
            "\u001b7", "\u001b8", "\u001b[38:2::1:2:3m", "\u001b[38;5m", "\u001b[48;2;1m", "\u001b[4:9m", "\u001b[58;5;300m",
            "\u4e2d", "\ud83d\ude00", "e\u0301", "\u0301\u0301\u0301", "\t", "\r\n", "\b", "\u001b[65535b", "\u001b[?6h",
            "\u001b[?7l", "\u001b[4h", "\u001b[20h", "\u001bc", "\u001b[!p", "\u001b#8", "\u001b[3g", "\u001bH",
            "\u001b]2;title\u0007", "\u001b]0;", "\u001b\\", "x", "\u00ff", "\u00c3", "\u001b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22;23;24;25;26;27;28;29;30;31;32;33;34m")
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void survivesRandomStreamsAndStaysBounded() {
        Random random = new Random(22);
        List<byte[]> pieces = splitPieces();
        for (int round = 0; round < 40; round++) {
            Screen screen = new Screen(20 + random.nextInt(100), 5 + random.nextInt(40), 200);
            for (int chunk = 0; chunk < 300; chunk++) {
                byte[] bytes;
                if (random.nextBoolean()) {
                    bytes = new byte[1 + random.nextInt(300)];
                    random.nextBytes(bytes);
                } else {
                    StringBuilder s = new StringBuilder();
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    for (int i = 0; i < 20; i++) {
                        byte[] piece = pieces.get(random.nextInt(pieces.size()));
                        // Truncated pieces too: a sequence cut anywhere.
                        out.write(piece, 0, random.nextInt(4) == 0 ? random.nextInt(piece.length + 1) : piece.length);
                        if (random.nextInt(3) == 0) {
                            out.writeBytes(String.valueOf(random.nextInt(70000)).getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                    bytes = out.toByteArray();
                }
                screen.feed(bytes, 0, bytes.length);
                if (random.nextInt(50) == 0) {
                    screen.resize(1 + random.nextInt(150), 1 + random.nextInt(60));
                }
                if (random.nextInt(20) == 0) {
                    screen.redraw(random.nextInt(300));
                    screen.snapshot();
                    screen.ansiRows();
                }
            }
            long bound = (long) screen.cols() * (screen.rows() * 2 + 200) * 40 + 100_000;
            assertTrue(screen.footprint() < bound, "footprint " + screen.footprint() + " within " + bound);
            assertTrue(screen.scrollbackSize() <= 200, "scrollback bounded");
            // Still works: out of any string, a full reset, then text.
            screen.resize(80, 24);
            screen.feed("\u0018\u001b\\\u001bc\u001b[?1049l\u001bchello fuzz".getBytes(StandardCharsets.UTF_8));
            assertEquals("hello fuzz\n", screen.text(), "round " + round);
        }
    }

    @Test
    void longStringsAndEndlessParametersAreBounded() {
        Screen screen = new Screen(80, 24);
        byte[] osc = ("\u001b]2;" + "t".repeat(1_000_000)).getBytes(StandardCharsets.UTF_8);
        screen.feed(osc);
        screen.feed("\u0007".getBytes(StandardCharsets.UTF_8));
        assertTrue(screen.title().length() <= Parser.MAX_OSC, "title bounded");
        byte[] params = ("\u001b[" + "1;".repeat(100_000) + "m").getBytes(StandardCharsets.UTF_8);
        screen.feed(params);
        byte[] marks = ("a" + "\u0301".repeat(100_000)).getBytes(StandardCharsets.UTF_8);
        screen.feed(marks);
        assertTrue(screen.footprint() < 200 * 1024, "footprint " + screen.footprint());
        screen.feed("\r\nok".getBytes(StandardCharsets.UTF_8));
        assertTrue(screen.text().endsWith("ok\n"), screen.text());
    }

    @Test
    void scrollbackDropsTheOldestLineAtItsBound() {
        Screen screen = new Screen(80, 24, 100);
        StringBuilder s = new StringBuilder();
        for (int i = 1; i <= 1000; i++) {
            s.append("line ").append(i).append("\r\n");
        }
        screen.feed(s.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(100, screen.scrollbackSize());
        assertEquals(List.of("line 878", "line 879"), screen.scrollbackText(100).subList(0, 2));
    }

    private static List<byte[]> splitPieces() {
        List<byte[]> out = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i <= PIECES_SOURCE.length; i++) {
            if (i == PIECES_SOURCE.length || PIECES_SOURCE[i] == 0) {
                out.add(java.util.Arrays.copyOfRange(PIECES_SOURCE, start, i));
                start = i + 1;
            }
        }
        return out;
    }
}
