package dev.corral.daemon.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Who holds a lease: a daemon process, named by host, pid and the pid's start time. The start time
 * tells a live holder from an unrelated process that was given the same pid after it died.
 */
public record Holder(String host, long pid, Instant pidStarted) {
    private static final String HOST = readHostName();
    private static final Holder SELF = new Holder(HOST, ProcessHandle.current().pid(),
            ProcessHandle.current().info().startInstant().orElse(null));
    /** Start times from /proc are rounded to clock ticks, so allow a little slack. */
    private static final Duration START_SLACK = Duration.ofSeconds(2);

    public static Holder self() {
        return SELF;
    }

    public static String hostName() {
        return HOST;
    }

    public boolean isSelf() {
        return SELF.host.equals(host) && SELF.pid == pid;
    }

    /**
     * True when this holder is known to be gone: it ran on this host, and its pid is either not
     * running or running a process that started at another time. A holder on another host is
     * never known to be gone; only its heartbeat's age can tell.
     */
    public boolean gone() {
        if (!HOST.equals(host)) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        if (pidStarted == null) {
            return false;
        }
        return process.get().info().startInstant()
                .map(started -> Duration.between(started, pidStarted).abs().compareTo(START_SLACK) > 0)
                .orElse(false);
    }

    /** The kernel's hostname (no DNS look-up, which can stall), else the environment's. */
    private static String readHostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: fall through.
        }
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
