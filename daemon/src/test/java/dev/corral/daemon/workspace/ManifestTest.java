package dev.corral.daemon.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests and their diff: what counts as added, modified, removed, and what is left out. */
class ManifestTest {
    @TempDir
    Path ws;

    private void write(String path, String text) throws Exception {
        Path file = ws.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** Files made long before the capture: their size and time are trusted, nothing is hashed. */
    private void age(String path) throws Exception {
        Files.setLastModifiedTime(ws.resolve(path), FileTime.from(Instant.now().minusSeconds(3600)));
    }

    @Test
    void diffNamesAddedModifiedAndRemovedFiles() throws Exception {
        write("keep.txt", "same");
        write("change.txt", "before");
        write("gone/old.txt", "bye");
        write("src/deep/a.txt", "a");
        for (String path : List.of("keep.txt", "change.txt", "gone/old.txt", "src/deep/a.txt")) {
            age(path);
        }
        Manifest start = Manifest.capture(ws);
        assertEquals(4, start.size());

        write("change.txt", "after, longer");
        Files.delete(ws.resolve("gone/old.txt"));
        write("src/deep/new.txt", "n");
        Manifest end = Manifest.capture(ws, start);
        ManifestDiff diff = start.diff(end);
        assertEquals(List.of("src/deep/new.txt"), diff.added());
        assertEquals(List.of("change.txt"), diff.modified());
        assertEquals(List.of("gone/old.txt"), diff.removed());
        assertEquals("1 added, 1 modified, 1 removed", diff.counts());
        assertTrue(end.diff(Manifest.capture(ws, end)).empty(), "nothing changed since");
    }

    @Test
    void gitAndCorralMetadataAreLeftOutAtAnyDepth() throws Exception {
        write("a.txt", "a");
        write(".git/HEAD", "ref");
        write(".corral/lease.json", "{}");
        write("vendor/lib/.git", "gitdir: elsewhere");
        Manifest manifest = Manifest.capture(ws);
        assertEquals(List.of("a.txt"), List.copyOf(manifest.files().keySet()));
    }

    @Test
    void linksAreRecordedNotFollowed(@TempDir Path outside) throws Exception {
        Files.writeString(outside.resolve("secret.txt"), "x");
        Files.createSymbolicLink(ws.resolve("out"), outside);
        Manifest manifest = Manifest.capture(ws);
        assertEquals(List.of("out"), List.copyOf(manifest.files().keySet()));
        assertTrue(manifest.files().get("out").link());
    }

    @Test
    void racyFilesAreHashedSoATouchIsNoChangeButAnEditOfTheSameSizeIs() throws Exception {
        write("touched.txt", "same text");
        write("edited.txt", "aaaa");
        Manifest start = Manifest.capture(ws);
        assertNotNull(start.files().get("touched.txt").hash(), "modified just now: size and time cannot be trusted");

        Files.setLastModifiedTime(ws.resolve("touched.txt"), FileTime.from(Instant.now().plusSeconds(5)));
        long mtime = Files.getLastModifiedTime(ws.resolve("edited.txt")).toMillis();
        Files.writeString(ws.resolve("edited.txt"), "bbbb");
        // Same size and, as a coarse clock can give, the same time: only the contents tell.
        Files.setLastModifiedTime(ws.resolve("edited.txt"), FileTime.fromMillis(mtime));
        Manifest end = Manifest.capture(ws, start);
        ManifestDiff diff = start.diff(end);
        assertEquals(List.of("edited.txt"), diff.modified());
        assertTrue(diff.added().isEmpty() && diff.removed().isEmpty());
    }

    @Test
    void settledFilesAreNotHashed() throws Exception {
        write("old.txt", "old");
        age("old.txt");
        assertNull(Manifest.capture(ws).files().get("old.txt").hash());
    }

    @Test
    void jsonRoundTripKeepsEveryEntry() throws Exception {
        write("a b/ü.txt", "x");
        write("c.txt", "y");
        Files.createSymbolicLink(ws.resolve("l"), Path.of("c.txt"));
        Manifest manifest = Manifest.capture(ws);
        Manifest back = Manifest.fromJson(manifest.toJson());
        assertEquals(manifest.files(), back.files());
        assertEquals(manifest.capturedAt(), back.capturedAt());
    }

    @Test
    void aTreeOfManyDirectoriesIsWalkedWhole() throws Exception {
        for (int d = 0; d < 40; d++) {
            for (int f = 0; f < 25; f++) {
                write("d" + d + "/sub/f" + f, "x");
            }
        }
        assertEquals(1000, Manifest.capture(ws).size());
    }
}
