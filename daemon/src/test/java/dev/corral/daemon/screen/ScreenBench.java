package dev.corral.daemon.screen;

import java.nio.charset.StandardCharsets;

/**
 * The screen model's own cost, run by bench/screen.sh (not a test): parser throughput on plain
 * text and on colourful full-screen output, and heap per screen at 80x24 and 200x50, idle and
 * with a full scrollback.
 */
public final class ScreenBench {
    public static void main(String[] args) throws Exception {
        byte[] plain = lines(false);
        byte[] colour = lines(true);
        byte[] top = ScreenBench.class.getResourceAsStream("/screen/top.bin").readAllBytes();
        for (String[] kind : new String[][] {{"plain text", "p"}, {"SGR-heavy text", "c"}, {"top recording", "t"}}) {
            byte[] data = kind[1].equals("p") ? plain : kind[1].equals("c") ? colour : top;
            Screen screen = new Screen(80, 24);
            long total = 0;
            long start = System.nanoTime();
            // Warm up, then measure about two seconds.
            while (System.nanoTime() - start < 1_000_000_000L) {
                screen.feed(data);
            }
            start = System.nanoTime();
            while (System.nanoTime() - start < 2_000_000_000L) {
                screen.feed(data);
                total += data.length;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-16s %8.1f MiB/s%n", kind[0], total / seconds / (1 << 20));
        }
        for (int[] size : new int[][] {{80, 24}, {200, 50}}) {
            System.out.printf("%dx%d idle        %8d bytes (model's estimate)  %8d bytes (measured heap)%n", size[0], size[1],
                    new Screen(size[0], size[1]).footprint(), heapOf(size[0], size[1], false));
            Screen full = new Screen(size[0], size[1]);
            fill(full, size[0]);
            System.out.printf("%dx%d full scrollback %8d bytes (model's estimate)  %8d bytes (measured heap)%n", size[0],
                    size[1], full.footprint(), heapOf(size[0], size[1], true));
        }
    }

    private static void fill(Screen screen, int cols) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < Screen.DEFAULT_SCROLLBACK + 100; i++) {
            line.setLength(0);
            line.append("\u001b[3").append(i % 8).append('m').append(("line " + i + " ").repeat(cols)).setLength(cols);
            screen.feed((line + "\u001b[0m\r\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Heap growth for 20 screens, divided by 20, after a GC. */
    private static long heapOf(int cols, int rows, boolean full) {
        Runtime runtime = Runtime.getRuntime();
        Screen[] screens = new Screen[20];
        System.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();
        for (int i = 0; i < screens.length; i++) {
            screens[i] = new Screen(cols, rows);
            if (full) {
                fill(screens[i], cols);
            }
        }
        System.gc();
        long after = runtime.totalMemory() - runtime.freeMemory();
        long each = (after - before) / screens.length;
        if (screens[0].cols() != cols) {
            throw new AssertionError();
        }
        return each;
    }

    private static byte[] lines(boolean colour) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            if (colour) {
                s.append("\u001b[1;38;5;").append(i % 256).append("m").append(i).append("\u001b[0m \u001b[38;2;10;20;")
                        .append(i % 256).append("mcoloured words here\u001b[0m and more plain text to the end\r\n");
            } else {
                s.append("output line ").append(i).append(" with some ordinary text of typical length ..........\r\n");
            }
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }
}
