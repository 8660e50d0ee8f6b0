package dev.corral.daemon.workspace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One capture's walk of a workspace: directories in parallel on the {@code manifest-walk-N}
 * pool, within the bounds. Each directory task keeps what it found; {@link Directory#collect}
 * gathers it. See {@link Manifest} for what is hashed and why.
 */
final class ManifestWalk {
    /** A file modified within this long before the capture is hashed. */
    private static final long RACY_NANOS = 2_000_000_000L;
    /** Larger files are never hashed: size and time only. */
    private static final long HASH_LIMIT = 8L * 1024 * 1024;
    /**
     * lstat is mostly CPU in the kernel, so more walkers than cores pay off on a busy machine (git's
     * preload-index uses up to 20 threads); 4 measured best on the 2-core development VM.
     */
    private static final ForkJoinPool WALKERS = new ForkJoinPool(Math.max(4, Runtime.getRuntime().availableProcessors()),
            pool -> {
                var thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                thread.setName("manifest-walk-" + thread.getPoolIndex());
                thread.setDaemon(true);
                return thread;
            }, null, false);

    final Path root;
    final Map<String, Manifest.Entry> reference;
    final long racyAfter;
    final AtomicInteger count = new AtomicInteger();
    final AtomicInteger unreadable = new AtomicInteger();
    final Manifest.Bounds bounds;
    final long deadline;
    /** Which bound the walk went past, once it did; then every task stops. */
    volatile String over;

    ManifestWalk(Path root, Map<String, Manifest.Entry> reference, long capturedNanos, Manifest.Bounds bounds) {
        this.root = root;
        this.reference = reference;
        this.racyAfter = capturedNanos - RACY_NANOS;
        this.bounds = bounds;
        this.deadline = System.nanoTime() + bounds.maxTime().toNanos();
    }

    /** True once past a bound; the first to notice names it. */
    boolean past(int depth) {
        if (over != null) {
            return true;
        }
        if (count.get() > bounds.maxFiles()) {
            over = "more than " + bounds.maxFiles() + " files (--manifest-max-files)";
        } else if (depth > bounds.maxDepth()) {
            over = "directories nested deeper than " + bounds.maxDepth() + " (--manifest-max-depth)";
        } else if (System.nanoTime() - deadline > 0) {
            over = "listing took longer than " + bounds.maxTime().toSeconds() + " s (--manifest-max-seconds)";
        }
        return over != null;
    }

    /** A directory's entries: files recorded here, subdirectories forked as tasks of their own. */
    final class Directory extends RecursiveAction {
        private final Path dir;
        private final String prefix;
        private final List<String> paths = new ArrayList<>();
        private final List<Manifest.Entry> entries = new ArrayList<>();
        private final List<Directory> children = new ArrayList<>();
        private final int depth;

        Directory(Path dir, String prefix, int depth) {
            this.dir = dir;
            this.prefix = prefix;
            this.depth = depth;
        }

        @Override
        protected void compute() {
            if (past(depth)) {
                return;
            }
            try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
                for (Path child : listing) {
                    int seen = count.incrementAndGet();
                    if ((seen > bounds.maxFiles() || seen % 256 == 0) && past(depth)) {
                        break;
                    }
                    String name = child.getFileName().toString();
                    if (Manifest.LEFT_OUT.contains(name)) {
                        continue;
                    }
                    BasicFileAttributes attributes;
                    try {
                        attributes = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (IOException e) {
                        // Vanished between the listing and the look, or unreadable: not part of this moment.
                        continue;
                    }
                    String relative = prefix.isEmpty() ? name : prefix + '/' + name;
                    if (attributes.isDirectory()) {
                        Directory task = new Directory(child, relative, depth + 1);
                        task.fork();
                        children.add(task);
                    } else {
                        paths.add(relative);
                        entries.add(entry(child, relative, attributes));
                    }
                }
            } catch (IOException e) {
                unreadable.incrementAndGet();
            }
            for (Directory child : children) {
                child.join();
            }
        }

        /** After the walk, on one thread: this directory's files and its subdirectories', without recursion. */
        void collect(Map<String, Manifest.Entry> into) {
            ArrayDeque<Directory> pending = new ArrayDeque<>(List.of(this));
            for (Directory next; (next = pending.poll()) != null; ) {
                for (int i = 0; i < next.paths.size(); i++) {
                    into.put(next.paths.get(i), next.entries.get(i));
                }
                pending.addAll(next.children);
            }
        }
    }

    private Manifest.Entry entry(Path file, String relative, BasicFileAttributes attributes) {
        var time = attributes.lastModifiedTime().toInstant();
        long mtime = time.getEpochSecond() * 1_000_000_000L + time.getNano();
        boolean link = attributes.isSymbolicLink();
        long size = attributes.size();
        String hash = null;
        if (!link && attributes.isRegularFile() && size <= HASH_LIMIT) {
            if (mtime >= racyAfter) {
                hash = hash(file);
            } else if (!reference.isEmpty()) {
                Manifest.Entry before = reference.get(relative);
                if (before != null && before.hash() != null && before.size() == size) {
                    hash = hash(file);
                }
            }
        }
        return new Manifest.Entry(size, mtime, link, hash);
    }

    /** Walks the whole tree; the files by relative path, or {@link Manifest.OverBound} naming the bound gone past. */
    Map<String, Manifest.Entry> run() throws Manifest.OverBound {
        Directory top = new Directory(root, "", 0);
        WALKERS.invoke(top);
        if (over != null) {
            throw new Manifest.OverBound(over);
        }
        Map<String, Manifest.Entry> files = new HashMap<>(Math.max(16, count.get() * 4 / 3 + 1));
        top.collect(files);
        return files;
    }

    /** Directories and files that could not be read. */
    int unreadable() {
        return unreadable.get();
    }

    private static String hash(Path file) {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                total += n;
                if (total > HASH_LIMIT) {
                    // Larger than it said (a /proc file says 0): size and time only, as for any large file.
                    return null;
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
