package dev.corral.daemon.server;

import dev.corral.daemon.DaemonPaths;
import dev.corral.daemon.state.OwnedFiles;
import dev.corral.protocol.Endpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this process the one owner of a socket path. A lock file beside the socket is held for
 * the daemon's whole life (the kernel drops it when the process dies, even by kill -9), so a
 * second daemon is refused and a socket file nobody holds the lock for is known to be stale.
 */
public final class SocketOwnership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SocketOwnership.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path socket;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** The socket file belongs to the service manager that bound it (socket activation): never removed. */
    private final boolean inherited;

    private SocketOwnership(Path socket, FileChannel lockChannel, FileLock lock, boolean inherited) {
        this.socket = socket;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.inherited = inherited;
    }

    /** Another daemon holds the socket. */
    public static final class AlreadyRunningException extends Exception {
        public AlreadyRunningException(String message) {
            super(message);
        }
    }

    public static SocketOwnership claim(DaemonPaths paths) throws IOException, AlreadyRunningException {
        return claim(paths, false);
    }

    /** {@code inherited}: a service manager bound the socket and passed it; its file is left alone. */
    public static SocketOwnership claim(DaemonPaths paths, boolean inherited) throws IOException, AlreadyRunningException {
        Path socket = paths.socket();
        prepareDirectory(paths.endpoint());
        OwnedFiles.requirePlainOrMissing(paths.lockFile());
        FileChannel channel;
        try {
            channel = FileChannel.open(paths.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.FileSystemException e) {
            throw new OwnedFiles.UnsafePathException("the lock file " + paths.lockFile() + " could not be opened without "
                    + "following a link (" + e.getMessage() + ")");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = readPid(channel);
            channel.close();
            throw new AlreadyRunningException("corrald is already running on " + socket
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + "; stop it with 'corral daemon stop' or use another --socket");
        }
        Files.setPosixFilePermissions(paths.lockFile(), OWNER_ONLY_FILE);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(false);
        if (!inherited && Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            log.info("replacing stale socket {} left by a daemon that is gone", socket);
            Files.delete(socket);
        }
        return new SocketOwnership(socket, channel, lock, inherited);
    }

    /** Called right after bind: the socket file is for its owner only. */
    public void restrictSocket() throws IOException {
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(socket, OWNER_ONLY_FILE);
        }
    }

    @Override
    public void close() {
        try {
            if (!inherited) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            log.warn("could not remove socket {}: {}", socket, e.toString());
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.warn("could not release lock for {}: {}", socket, e.toString());
        }
    }

    private static void prepareDirectory(Endpoint endpoint) throws IOException {
        Path dir = endpoint.socket().getParent();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
            return;
        }
        String problem = endpoint.directoryProblem();
        if (problem != null) {
            log.warn("refused: {}", problem);
            throw new OwnedFiles.UnsafePathException(problem);
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!permissions.equals(OWNER_ONLY_DIR)) {
            if (endpoint.isDefault()) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
            } else {
                // --socket-dir-shared: the user accepted the risk; the socket itself is 0600 and
                // peers of other uids are refused, and the files beside it are opened without following links.
                log.warn("socket directory {} is {}, not rwx------ (--socket-dir-shared); the socket stays 0600 and other "
                        + "users are refused", dir, PosixFilePermissions.toString(permissions));
            }
        }
    }

    private static String readPid(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
