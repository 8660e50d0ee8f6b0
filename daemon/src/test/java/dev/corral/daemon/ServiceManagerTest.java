package dev.corral.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * What corrald takes from a service manager's variables (sd_listen_fds(3), sd_watchdog_enabled(3)):
 * only what is meant for this process, and the notifications it sends back as datagrams, to a
 * path or to a name in the abstract namespace as systemd writes NOTIFY_SOCKET.
 */
class ServiceManagerTest {
    private static final String SELF = Long.toString(ProcessHandle.current().pid());

    @TempDir
    Path dir;

    @Test
    void theListeningSocketIsTakenOnlyWhenItIsMeantForThisProcess() {
        assertEquals(OptionalInt.of(3), ServiceManager.fromEnvironment(Map.of("LISTEN_FDS", "1", "LISTEN_PID", SELF)).listenFd());
        assertEquals(OptionalInt.of(3), ServiceManager.fromEnvironment(Map.of("LISTEN_FDS", "2", "LISTEN_PID", SELF)).listenFd());
        // Another process's (a child inherited the variables), none at all, no pid, or garbage: not ours.
        assertEquals(OptionalInt.empty(), ServiceManager.fromEnvironment(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "999999999")).listenFd());
        assertEquals(OptionalInt.empty(), ServiceManager.fromEnvironment(Map.of("LISTEN_FDS", "0", "LISTEN_PID", SELF)).listenFd());
        assertEquals(OptionalInt.empty(), ServiceManager.fromEnvironment(Map.of("LISTEN_FDS", "1")).listenFd());
        assertEquals(OptionalInt.empty(), ServiceManager.fromEnvironment(Map.of("LISTEN_FDS", "x", "LISTEN_PID", SELF)).listenFd());
        assertEquals(OptionalInt.empty(), ServiceManager.fromEnvironment(Map.of()).listenFd());
    }

    @Test
    void theWatchdogRunsAtHalfTheManagersTimeoutWhenItWatchesThisProcess() {
        String notify = dir.resolve("notify").toString();
        assertEquals(Optional.of(Duration.ofSeconds(15)),
                ServiceManager.fromEnvironment(Map.of("NOTIFY_SOCKET", notify, "WATCHDOG_USEC", "30000000")).watchdogInterval());
        assertEquals(Optional.of(Duration.ofSeconds(15)), ServiceManager.fromEnvironment(
                Map.of("NOTIFY_SOCKET", notify, "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", SELF)).watchdogInterval());
        assertEquals(Optional.empty(), ServiceManager.fromEnvironment(
                Map.of("NOTIFY_SOCKET", notify, "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "999999999")).watchdogInterval());
        assertEquals(Optional.empty(), ServiceManager.fromEnvironment(Map.of("WATCHDOG_USEC", "30000000")).watchdogInterval());
        assertEquals(Optional.empty(), ServiceManager.fromEnvironment(Map.of("NOTIFY_SOCKET", notify, "WATCHDOG_USEC", "0")).watchdogInterval());
        assertFalse(ServiceManager.fromEnvironment(Map.of()).notifying());
    }

    @Test
    void notificationsReachAPathAndAnAbstractName() throws Exception {
        Path path = dir.resolve("notify.sock");
        String name = "corral-test-notify-" + SELF;
        try (AFUNIXDatagramSocket atPath = AFUNIXDatagramSocket.newInstance();
                AFUNIXDatagramSocket abstractName = AFUNIXDatagramSocket.newInstance()) {
            atPath.bind(AFUNIXSocketAddress.of(path));
            abstractName.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
            try (ServiceManager manager = ServiceManager.fromEnvironment(Map.of("NOTIFY_SOCKET", path.toString()))) {
                assertTrue(manager.notifying());
                manager.ready("serving /run/x.sock");
                manager.watchdog();
                manager.stopping("stopping");
            }
            assertEquals("READY=1\nSTATUS=serving /run/x.sock\nMAINPID=" + SELF, receive(atPath));
            assertEquals("WATCHDOG=1", receive(atPath));
            assertEquals("STOPPING=1\nSTATUS=stopping", receive(atPath));
            try (ServiceManager manager = ServiceManager.fromEnvironment(Map.of("NOTIFY_SOCKET", "@" + name))) {
                manager.status("hello");
            }
            assertEquals("STATUS=hello", receive(abstractName));
        }
    }

    private static String receive(AFUNIXDatagramSocket socket) throws Exception {
        socket.setSoTimeout(10_000);
        byte[] buffer = new byte[4096];
        java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no notification within 10 s", e);
        }
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }
}
