package dev.corral.daemon.workspace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The benchmark's way into manifest capture (bench/manifest.sh), in a JVM that stays warm as the
 * daemon's does. Reads one word a line on stdin and answers one line each:
 * {@code start} captures the tree as a spawn does ({@code files N ms T}); {@code end} captures it
 * again against the last start, as a session's end does, and diffs ({@code files N ms T changed C}).
 */
public final class ManifestTiming {
    private ManifestTiming() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ManifestTiming DIR   (then 'start' or 'end' lines on stdin)");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toRealPath();
        Manifest start = null;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            long began = System.nanoTime();
            switch (line.strip()) {
                case "start" -> {
                    start = Manifest.capture(root);
                    System.out.printf("files %d ms %.1f%n", start.size(), (System.nanoTime() - began) / 1e6);
                }
                case "end" -> {
                    Manifest end = Manifest.capture(root, start);
                    ManifestDiff diff = start == null ? null : start.diff(end);
                    System.out.printf("files %d ms %.1f changed %d%n", end.size(), (System.nanoTime() - began) / 1e6,
                            diff == null ? -1 : diff.added().size() + diff.modified().size() + diff.removed().size());
                }
                default -> System.out.println("error: say start or end");
            }
            System.out.flush();
        }
    }
}
