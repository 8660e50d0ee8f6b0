package dev.corral.client;

import dev.corral.protocol.Endpoint;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts corrald in the background when none answers. Clients that start at once queue on a
 * lock file beside the socket; each checks again once it holds the lock, so exactly one of them
 * launches the daemon and the others find it running.
 */
final class DaemonLauncher {
    private static final long READY_DEADLINE_MILLIS = 30_000;
    /** How often a starting client tries the socket: the answer is seen this soon after it is there. */
    private static final long POLL_MILLIS = 5;
    private static final String EXITED = "corral: corrald exited with status ";

    private DaemonLauncher() {}

    /** Returns once a daemon answers on the endpoint; the pid of the one it started, or -1. */
    static long ensureRunning(Endpoint endpoint) {
        Path dir = endpoint.socket().getParent();
        String problem;
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            problem = endpoint.directoryProblem();
        } catch (IOException e) {
            throw new CliFailure(Exit.FAILED, null, "cannot create the socket directory " + dir + ": " + e.getMessage());
        }
        if (problem != null) {
            throw new CliFailure(Exit.FAILED, "UNSAFE_PATH", "not starting corrald: " + problem);
        }
        try (FileChannel lockFile = openPlain(endpoint.startLock());
             FileLock ignored = lockFile.lock()) {
            DaemonConnection running = DaemonConnection.tryOpen(endpoint);
            if (running != null) {
                running.close();
                return -1;
            }
            return launch(endpoint);
        } catch (IOException e) {
            throw new CliFailure(Exit.FAILED, null, "cannot lock " + endpoint.startLock() + ": " + e.getMessage());
        }
    }

    /** The start lock, opened without following a link planted in its place, and refused when it is not a plain file. */
    private static FileChannel openPlain(Path file) throws IOException {
        if (Files.isSymbolicLink(file) || Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CliFailure(Exit.FAILED, "UNSAFE_PATH", file + " is a symlink or not a regular file; "
                    + "corral does not write through it (remove it)");
        }
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.FileSystemException e) {
            throw new CliFailure(Exit.FAILED, "UNSAFE_PATH", file + " could not be opened without following a link: "
                    + e.getMessage());
        }
    }

    private static long launch(Endpoint endpoint) {
        Path launcher = Corral.home().resolve("bin").resolve("corrald");
        if (!Files.isExecutable(launcher)) {
            throw new CliFailure(Exit.UNREACHABLE, null, "cannot start corrald: " + launcher
                    + " is missing; build corral first (mvn -DskipTests package)");
        }
        Path startLog = endpoint.socket().resolveSibling(endpoint.socket().getFileName() + ".start.log");
        // setsid -f forks: the process this JVM starts exits at once and corrald runs on in a
        // session of its own, a grandchild. A JVM that exits while a child it started still runs
        // waits for it (~320 ms measured), so a direct child would hold up every auto-start.
        // The shell (a fixed script; the arguments are its argv, never interpolated) stays as
        // corrald's parent and writes one line to the start log when it exits, so a daemon that
        // dies before it answers is still reported with its output.
        List<String> command = new ArrayList<>(List.of("setsid", "-f", "/bin/sh", "-c",
                "\"$0\" \"$@\"; echo \"" + EXITED + "$?\"", launcher.toString(),
                "--socket", endpoint.socket().toString(), "--detached"));
        if (endpoint.sharedDirectory()) {
            command.add("--socket-dir-shared");
        }
        Process process;
        try {
            // A fresh file of ours: whatever is there (a link planted to a victim) is unlinked, never written through.
            Files.deleteIfExists(startLog);
            Files.newByteChannel(startLog, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))).close();
        } catch (IOException e) {
            throw new CliFailure(Exit.FAILED, null, "cannot create " + startLog + ": " + e.getMessage());
        }
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(startLog.toFile()))
                    .redirectErrorStream(true)
                    .start();
            if (process.waitFor() != 0) {
                throw CliFailure.unreachable("cannot start corrald: setsid exited with status " + process.exitValue()
                        + ":\n" + tail(startLog));
            }
        } catch (IOException e) {
            throw new CliFailure(Exit.UNREACHABLE, null, "cannot start corrald: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliFailure.unreachable("interrupted while starting corrald");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_DEADLINE_MILLIS);
        while (System.nanoTime() < deadline) {
            DaemonConnection connection = DaemonConnection.tryOpen(endpoint);
            if (connection != null) {
                Object pid = connection.hello().get("pid");
                connection.close();
                return pid instanceof Number n ? n.longValue() : -1;
            }
            String status = exitStatus(startLog);
            if (status != null && !answers(endpoint)) {
                throw CliFailure.unreachable("corrald exited with status " + status + " before it answered:\n"
                        + tail(startLog).replace(EXITED + status, "").stripTrailing());
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw CliFailure.unreachable("corrald did not answer on " + endpoint.socket() + " within "
                + READY_DEADLINE_MILLIS / 1000 + " s; its output so far:\n" + tail(startLog));
    }

    /** The status the start log's last line reports once corrald has exited, else null. */
    private static String exitStatus(Path startLog) {
        try {
            String log = Files.readString(startLog);
            int at = log.lastIndexOf(EXITED);
            return at < 0 ? null : log.substring(at + EXITED.length()).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A daemon that exits at once may have found another one already serving the socket. */
    private static boolean answers(Endpoint endpoint) {
        DaemonConnection connection = DaemonConnection.tryOpen(endpoint);
        if (connection == null) {
            return false;
        }
        connection.close();
        return true;
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
