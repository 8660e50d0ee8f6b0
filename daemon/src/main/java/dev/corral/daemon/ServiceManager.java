package dev.corral.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a service manager (systemd) handed this process, and the way back to it: the inherited
 * listening socket ({@code LISTEN_FDS}/{@code LISTEN_PID}, sd_listen_fds(3)) and sd_notify(3)
 * messages ({@code READY=1}, {@code STATUS=}, {@code WATCHDOG=1}, {@code STOPPING=1}) as AF_UNIX
 * datagrams to {@code NOTIFY_SOCKET}. Without those variables every method does nothing.
 */
public final class ServiceManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceManager.class);

    /** sd_listen_fds(3): the first inherited descriptor. */
    public static final int LISTEN_FDS_START = 3;

    /** The variables a service manager sets for corrald alone; its sessions must not see them. */
    public static final Set<String> VARIABLES = Set.of("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
            "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID");

    private final String notifySocket;
    private final Duration watchdog;
    private final OptionalInt listenFd;
    private AFUNIXDatagramChannel datagrams;

    private ServiceManager(String notifySocket, Duration watchdog, OptionalInt listenFd) {
        this.notifySocket = notifySocket;
        this.watchdog = watchdog;
        this.listenFd = listenFd;
    }

    /**
     * Reads the variables. {@code LISTEN_PID} and {@code WATCHDOG_PID} must name this process or
     * the launcher that started it (bin/corrald runs java as its child while it makes the
     * class-data archive); variables meant for another process are ignored, as sd_listen_fds does.
     */
    public static ServiceManager fromEnvironment(Map<String, String> env) {
        long self = ProcessHandle.current().pid();
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        OptionalInt listenFd = OptionalInt.empty();
        String fds = env.get("LISTEN_FDS");
        if (fds != null && meant(env.get("LISTEN_PID"), self, parent)) {
            try {
                int count = Integer.parseInt(fds.trim());
                if (count >= 1) {
                    listenFd = OptionalInt.of(LISTEN_FDS_START);
                    if (count > 1) {
                        log.warn("the service manager passed {} sockets; corrald serves the first (fd {})", count, LISTEN_FDS_START);
                    }
                }
            } catch (NumberFormatException e) {
                log.warn("ignoring LISTEN_FDS={}: not a number", fds);
            }
        }
        String notify = env.get("NOTIFY_SOCKET");
        Duration watchdog = null;
        String usec = env.get("WATCHDOG_USEC");
        if (notify != null && usec != null && (env.get("WATCHDOG_PID") == null || meant(env.get("WATCHDOG_PID"), self, parent))) {
            try {
                long micros = Long.parseLong(usec.trim());
                if (micros > 0) {
                    watchdog = Duration.ofNanos(micros * 1000);
                }
            } catch (NumberFormatException e) {
                log.warn("ignoring WATCHDOG_USEC={}: not a number", usec);
            }
        }
        return new ServiceManager(notify == null || notify.isBlank() ? null : notify, watchdog, listenFd);
    }

    private static boolean meant(String pid, long self, long parent) {
        if (pid == null) {
            return false;
        }
        try {
            long value = Long.parseLong(pid.trim());
            return value == self || value == parent;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The inherited listening socket's descriptor, when the service manager passed one. */
    public OptionalInt listenFd() {
        return listenFd;
    }

    /** How often to send {@code WATCHDOG=1}: half the manager's timeout, as sd_watchdog_enabled(3) advises. */
    public Optional<Duration> watchdogInterval() {
        return Optional.ofNullable(watchdog).map(timeout -> timeout.dividedBy(2));
    }

    public boolean notifying() {
        return notifySocket != null;
    }

    public void ready(String status) {
        send("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    public void status(String status) {
        send("STATUS=" + status);
    }

    public void watchdog() {
        send("WATCHDOG=1");
    }

    public void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + status);
    }

    /** One datagram; a manager that is gone only costs a log line. Synchronized: callers are on several threads. */
    private synchronized void send(String message) {
        if (notifySocket == null) {
            return;
        }
        try {
            if (datagrams == null) {
                datagrams = AFUNIXDatagramChannel.open();
            }
            datagrams.send(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)), address(notifySocket));
        } catch (IOException | RuntimeException e) {
            log.warn("could not notify the service manager on {}: {}", notifySocket, e.toString());
        }
    }

    private static SocketAddress address(String socket) throws IOException {
        // '@' (or a NUL byte) starts a name in the abstract namespace, as systemd writes it.
        if (socket.startsWith("@") || socket.startsWith("\0")) {
            return AFUNIXSocketAddress.inAbstractNamespace(socket.substring(1));
        }
        return AFUNIXSocketAddress.of(java.nio.file.Path.of(socket));
    }

    @Override
    public synchronized void close() {
        if (datagrams != null) {
            try {
                datagrams.close();
            } catch (IOException e) {
                log.debug("closing the notify socket: {}", e.toString());
            }
            datagrams = null;
        }
    }
}
