package dev.corral.daemon;

import dev.corral.daemon.server.SocketOwnership;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Makes this daemon the one user of its state directory. Two daemons on different sockets
 * sharing one (a typo in {@code --socket} auto-starts a second) would each mark the other's
 * live sessions lost; the second is refused instead, naming the first. The lock
 * ({@code STATE/corrald.lock}, holding "pid socket") is dropped by the kernel when the holder dies.
 */
final class StateDirectoryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private StateDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static Path file(DaemonPaths paths) {
        return paths.stateDir().resolve("corrald.lock");
    }

    static StateDirectoryLock claim(DaemonPaths paths) throws IOException, SocketOwnership.AlreadyRunningException {
        Path file = file(paths);
        if (Files.isSymbolicLink(file)) {
            throw new IOException(file + " is a symbolic link; corral does not follow links in its state directory");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = read(channel);
            channel.close();
            int space = holder.indexOf(' ');
            String pid = space < 0 ? holder : holder.substring(0, space);
            String socket = space < 0 ? "another socket" : holder.substring(space + 1);
            throw new SocketOwnership.AlreadyRunningException("state directory " + paths.stateDir() + " is in use by corrald"
                    + (pid.isEmpty() ? "" : " pid " + pid) + " serving " + socket + "; one daemon per state directory:"
                    + " give this one its own (--state-dir or CORRAL_STATE_DIR), or use that daemon's socket");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + paths.socket() + "\n")
                .getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        return new StateDirectoryLock(channel, lock);
    }

    private static String read(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            channel.read(buffer, 0);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // The process is ending; the kernel drops the lock with the descriptor anyway.
        }
    }
}
