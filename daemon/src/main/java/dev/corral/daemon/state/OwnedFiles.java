package dev.corral.daemon.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * The one way the daemon opens what it owns (a workspace's {@code .corral/}, the state directory
 * and its folders): never through a symbolic link, only in a real directory of the daemon's own
 * user, and a file it reads only when it is a regular file of that user with one name (a hard link
 * could make it read something else). A planted link is refused with {@link UnsafePathException},
 * whose message names the path and what is wrong with it.
 */
public final class OwnedFiles {
    private static final int ME = currentUid();

    private OwnedFiles() {}

    /** A path corral owns is a link, not of the kind expected, or not the daemon user's: nothing goes through it. */
    public static final class UnsafePathException extends IOException {
        public UnsafePathException(String message) {
            super(message);
        }
    }

    /** {@code dir}, created (with its missing parents) when missing; refused unless it is a real directory of this user. */
    public static Path directory(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir);
        }
        requireDirectory(dir);
        return dir;
    }

    /** Refuses {@code dir} unless it is a real directory (not a link) owned by this user; a missing one is NoSuchFileException. */
    public static void requireDirectory(Path dir) throws IOException {
        Map<String, Object> attributes = attributes(dir);
        if (Boolean.TRUE.equals(attributes.get("isSymbolicLink"))) {
            throw new UnsafePathException(dir + " is a symbolic link; corral reads and writes its files only in a real "
                    + "directory (remove the link)");
        }
        if (!Boolean.TRUE.equals(attributes.get("isDirectory"))) {
            throw new UnsafePathException(dir + " is not a directory; corral keeps its files only in a real directory");
        }
        requireMine(dir, attributes);
    }

    /**
     * Refuses {@code file} when it is there and is a link, not a regular file, another user's, or has
     * more than one name; a missing file is fine.
     */
    public static void requirePlainOrMissing(Path file) throws IOException {
        try {
            requirePlain(file, attributes(file));
        } catch (NoSuchFileException e) {
            // Nothing there: nothing to follow.
        }
    }

    /** The whole file, read without following a link, or NoSuchFileException; at most {@code limit} bytes. */
    public static byte[] read(Path file, int limit) throws IOException {
        requirePlain(file, attributes(file));
        try (SeekableByteChannel channel = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            long size = channel.size();
            if (size > limit) {
                throw new IOException(file + " is " + size + " bytes, more than the " + limit + " corral reads");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                continue;
            }
            return buffer.hasRemaining() ? Arrays.copyOf(buffer.array(), buffer.position()) : buffer.array();
        } catch (java.nio.file.FileSystemException e) {
            if (e instanceof NoSuchFileException) {
                throw e;
            }
            // O_NOFOLLOW: a link put there between the look and the open.
            throw new UnsafePathException(file + " could not be opened without following links (" + e.getMessage() + ")");
        }
    }

    private static void requirePlain(Path file, Map<String, Object> attributes) throws IOException {
        if (Boolean.TRUE.equals(attributes.get("isSymbolicLink"))) {
            throw new UnsafePathException(file + " is a symbolic link; corral never reads or writes through a link in the "
                    + "folders it owns (remove the link)");
        }
        if (!Boolean.TRUE.equals(attributes.get("isRegularFile"))) {
            throw new UnsafePathException(file + " is not a regular file");
        }
        requireMine(file, attributes);
        if (attributes.get("nlink") instanceof Integer links && links > 1) {
            throw new UnsafePathException(file + " has " + links + " names (a hard link); corral reads only its own files");
        }
    }

    private static void requireMine(Path path, Map<String, Object> attributes) throws UnsafePathException {
        if (ME >= 0 && attributes.get("uid") instanceof Integer owner && owner != ME) {
            throw new UnsafePathException(path + " belongs to uid " + owner + ", not to the daemon's user (uid " + ME + ")");
        }
    }

    private static Map<String, Object> attributes(Path path) throws IOException {
        return Files.readAttributes(path, "unix:isSymbolicLink,isDirectory,isRegularFile,uid,nlink", LinkOption.NOFOLLOW_LINKS);
    }

    /** This process's uid, from /proc; -1 where there is none. */
    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (Exception | Error e) {
            return -1;
        }
    }
}
