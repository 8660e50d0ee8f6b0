package dev.corral.daemon;

import dev.corral.daemon.event.EventHub;
import dev.corral.daemon.container.ContainerSettings;
import dev.corral.daemon.server.CorralServer;
import dev.corral.daemon.server.SocketOwnership;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.state.OwnedFiles;
import dev.corral.daemon.workspace.Manifest;
import dev.corral.daemon.workspace.MetadataLock;
import dev.corral.daemon.workspace.Workspaces;
import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import sun.misc.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** corrald's entry point: {@code corral daemon run} ends up here, in the foreground. */
@Command(name = "corrald", mixinStandardHelpOptions = true, versionProvider = Corrald.VersionProvider.class,
        description = "The corral daemon: owns agent terminal sessions and serves them on a Unix socket.")
public final class Corrald implements Callable<Integer> {
    /** Exit statuses, as the CLI contract gives them. */
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_CONFLICT = 4;

    @Option(names = "--socket", paramLabel = "PATH", description = "Socket path (default: $CORRAL_SOCKET, then $XDG_RUNTIME_DIR/corral/corral.sock).")
    String socket;

    @Option(names = "--socket-dir-shared", description = "Allow a socket directory that others can write to (not 0700);"
            + " they could then plant links beside the socket. Default: refuse it.")
    boolean socketDirShared;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default: $CORRAL_STATE_DIR, then $XDG_STATE_HOME/corral).")
    String stateDir;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "512",
            description = "Connections served at once; more are answered BUSY and closed (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--frame-timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "How long a frame may stay half-sent before the connection is closed (default: ${DEFAULT-VALUE}).")
    long frameTimeoutMillis;

    @Option(names = "--hello-timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "How long a new connection may stay without a successful hello before it is closed (default: ${DEFAULT-VALUE}).")
    long helloTimeoutMillis;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "64",
            description = "Live sessions at most; another spawn is refused (exit 4) (default: ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--replay-bytes", paramLabel = "BYTES", defaultValue = "65536",
            description = "Output kept per session and replayed on attach (default: ${DEFAULT-VALUE}).")
    int replayBytes;

    @Option(names = "--client-queue-bytes", paramLabel = "BYTES", defaultValue = "8388608",
            description = "Output queued for one attached client before it is disconnected as too slow (default: ${DEFAULT-VALUE}).")
    long clientQueueBytes;

    @Option(names = "--exit-grace-seconds", paramLabel = "S", defaultValue = "1800",
            description = "How long an exited session keeps its status and output before it is reaped (default: ${DEFAULT-VALUE}).")
    long exitGraceSeconds;

    @Option(names = "--idle-seconds", paramLabel = "S", defaultValue = "5",
            description = "Seconds without output after which a session's status is idle (default: ${DEFAULT-VALUE}).")
    long idleSeconds;

    @Option(names = "--journal-max-events", paramLabel = "N", defaultValue = "10000",
            description = "Events kept in the journal for resuming subscribers (at most a quarter more) (default: ${DEFAULT-VALUE}).")
    int journalMaxEvents;

    @Option(names = "--journal-max-age-seconds", paramLabel = "S", defaultValue = "604800",
            description = "Events older than this leave the journal (default: ${DEFAULT-VALUE}, 7 days).")
    long journalMaxAgeSeconds;

    @Option(names = "--subscriber-queue", paramLabel = "N", defaultValue = "1024",
            description = "Events queued for one subscriber that is not keeping up; past it they are dropped and it gets a gap (default: ${DEFAULT-VALUE}).")
    int subscriberQueue;

    @Option(names = "--docker-host", paramLabel = "ADDRESS",
            description = "The Docker engine container sessions run in (default: $DOCKER_HOST, then the docker CLI's default).")
    String dockerHost;

    @Option(names = "--container-credentials", paramLabel = "FILE",
            description = "A file mounted read-only into every container at /run/corral/credentials (default: $CORRAL_CONTAINER_CREDENTIALS; none).")
    String containerCredentials;

    @Option(names = "--container-network", paramLabel = "NETWORK",
            description = "The network containers join (default: $CORRAL_CONTAINER_NETWORK, then the engine's default).")
    String containerNetwork;

    @Option(names = "--lease-ttl-seconds", paramLabel = "S", defaultValue = "60",
            description = "A workspace lease whose heartbeat is older than this is stale and cleaned (default: ${DEFAULT-VALUE}).")
    long leaseTtlSeconds;

    @Option(names = "--lease-heartbeat-seconds", paramLabel = "S", defaultValue = "15",
            description = "How often the daemon renews the leases of its live sessions; below the TTL (default: ${DEFAULT-VALUE}).")
    long leaseHeartbeatSeconds;

    @Option(names = "--web", paramLabel = "ADDRESS:PORT",
            description = "Serve the web view on this loopback address (port 0: any free port); off by default. 'corral web' prints its URL.")
    String web;

    @Option(names = "--web-insecure-bind",
            description = "Let --web listen on an address that is not loopback: anyone who reaches it and has the token gets in.")
    boolean webInsecureBind;

    @Option(names = "--manifest-max-files", paramLabel = "N", defaultValue = "200000",
            description = "A workspace with more entries runs without a manifest (no diff in its summary) (default: ${DEFAULT-VALUE}).")
    int manifestMaxFiles;

    @Option(names = "--manifest-max-depth", paramLabel = "N", defaultValue = "64",
            description = "A workspace nested deeper runs without a manifest (default: ${DEFAULT-VALUE}).")
    int manifestMaxDepth;

    @Option(names = "--manifest-max-seconds", paramLabel = "S", defaultValue = "10",
            description = "A workspace whose files take longer to list runs without a manifest (default: ${DEFAULT-VALUE}).")
    long manifestMaxSeconds;

    @Option(names = "--detached", hidden = true,
            description = "Started in the background by a client: once ready, log to the state directory only.")
    boolean detached;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Corrald()).execute(args));
    }

    @Override
    public Integer call() {
        if (leaseHeartbeatSeconds < 1 || leaseTtlSeconds <= leaseHeartbeatSeconds) {
            System.err.println("corrald: --lease-heartbeat-seconds (" + leaseHeartbeatSeconds + ") must be at least 1 and "
                    + "below --lease-ttl-seconds (" + leaseTtlSeconds + "), or live leases would look stale");
            return EXIT_USAGE;
        }
        DaemonPaths paths = DaemonPaths.resolve(socket, socketDirShared, stateDir, System.getenv());
        try {
            paths.prepareStateDir();
        } catch (OwnedFiles.UnsafePathException e) {
            System.err.println("corrald: [UNSAFE_PATH] refusing the state directory " + paths.stateDir() + ": "
                    + e.getMessage());
            return EXIT_FAILED;
        } catch (IOException e) {
            System.err.println("corrald: cannot create the state directory " + paths.stateDir() + ": " + e
                    + "; set CORRAL_STATE_DIR to a writable directory");
            return EXIT_FAILED;
        }
        // Read by logback.xml; must be set before the first logger is created.
        System.setProperty("corral.logDir", paths.logDir().toString());
        // pty4j and JNA unpack native code; keep it in the state directory, not in /tmp and ~/.cache.
        System.setProperty("pty4j.tmpdir", paths.stateDir().resolve("native").toString());
        System.setProperty("jna.tmpdir", paths.stateDir().resolve("native").toString());
        System.setProperty("org.newsclub.net.unix.library.tmpdir", paths.stateDir().resolve("native").toString());

        if (journalMaxEvents < 1 || journalMaxAgeSeconds < 1 || subscriberQueue < 1) {
            System.err.println("corrald: --journal-max-events, --journal-max-age-seconds and --subscriber-queue must be 1 or more");
            return EXIT_USAGE;
        }
        if (helloTimeoutMillis < 1 || frameTimeoutMillis < 1 || maxConnections < 1) {
            System.err.println("corrald: --hello-timeout-ms, --frame-timeout-ms and --max-connections must be 1 or more");
            return EXIT_USAGE;
        }
        Fatal.install();
        ServiceManager manager = ServiceManager.fromEnvironment(System.getenv());
        Daemon daemon;
        try {
            daemon = Daemon.start(paths, new CorralServer.Limits(maxConnections, frameTimeoutMillis,
                    CorralServer.Limits.defaults().writeBufferHighBytes(), helloTimeoutMillis),
                    new SessionRegistry.Limits(maxSessions, Math.max(1024, replayBytes), clientQueueBytes,
                            Duration.ofSeconds(exitGraceSeconds), Duration.ofSeconds(idleSeconds)),
                    new EventHub.Limits(journalMaxEvents, Duration.ofSeconds(journalMaxAgeSeconds), subscriberQueue),
                    ContainerSettings.resolve(dockerHost, containerCredentials, containerNetwork, System.getenv()),
                    new Workspaces.Settings(Duration.ofSeconds(leaseTtlSeconds), Duration.ofSeconds(leaseHeartbeatSeconds),
                            MetadataLock.DEFAULT_TIMEOUT, new Manifest.Bounds(manifestMaxFiles, manifestMaxDepth,
                            Duration.ofSeconds(manifestMaxSeconds))), manager);
        } catch (SocketOwnership.AlreadyRunningException e) {
            System.err.println("corrald: " + e.getMessage());
            manager.status("not started: " + e.getMessage());
            return EXIT_CONFLICT;
        } catch (OwnedFiles.UnsafePathException e) {
            System.err.println("corrald: [UNSAFE_PATH] " + e.getMessage());
            return EXIT_FAILED;
        } catch (IOException e) {
            System.err.println("corrald: " + e.getMessage());
            manager.status("not started: " + e.getMessage());
            return EXIT_FAILED;
        }
        if (web != null) {
            try {
                System.err.println("corrald: web view at " + daemon.startWeb(web, webInsecureBind));
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("corrald: " + e.getMessage());
                daemon.shutdown("the web view could not start");
                return EXIT_USAGE;
            }
        }
        if (detached) {
            Logging.stopStderr();
        }
        MemoryTrim.start(() -> daemon.sessions().list(true).size());
        // SIGTERM (service managers) and SIGINT (a terminal) stop the daemon the graceful way and
        // exit 0; the hook covers any other way the JVM is asked to exit.
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> daemon.shutdownAsync("SIG" + signal));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> daemon.shutdown("JVM exit"), "corral-exit"));
        daemon.awaitStopped();
        return EXIT_OK;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"corrald " + Version.daemon() + " (protocol " + dev.corral.protocol.Protocol.VERSION + ")"};
        }
    }
}
