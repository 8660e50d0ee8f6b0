package dev.corral.daemon;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.agent.Agents;
import dev.corral.daemon.agent.Profiles;
import dev.corral.daemon.command.OperationTable;
import dev.corral.daemon.concurrent.WorkerPool;
import dev.corral.daemon.event.EventHub;
import dev.corral.daemon.event.SessionEvents;
import dev.corral.daemon.container.ContainerSettings;
import dev.corral.daemon.server.CorralServer;
import dev.corral.daemon.server.SocketOwnership;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.workspace.Workspaces;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running corrald: owns the socket (through {@link SocketOwnership}), the server, the
 * worker pool, and the single path that stops them all.
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);


    private final DaemonPaths paths;
    private final Instant startedAt = Instant.now();
    private final ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final ThreadPoolExecutor workers;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final SessionRegistry sessions;
    private final Agents agents;
    private final EventHub.Limits eventLimits;
    private EventHub events;
    private final Workspaces workspaces;
    private final ServiceManager manager;
    private StateDirectoryLock stateLock;
    private SocketOwnership ownership;
    private CorralServer server;
    /** The web view, once started; guarded by this. */
    private dev.corral.daemon.server.web.WebServer web;
    private Thread watchdog;

    private Daemon(DaemonPaths paths, SessionRegistry.Limits sessionLimits, EventHub.Limits eventLimits,
            ContainerSettings containers, Workspaces.Settings workspaceSettings, ServiceManager manager) {
        this.paths = paths;
        this.eventLimits = eventLimits;
        this.manager = manager;
        Map<String, String> environment = sessionEnvironment(System.getenv());
        this.sessions = new SessionRegistry(sessionLimits, paths.stateDir(), paths.socket(), mapper, environment, containers);
        this.agents = new Agents(new Profiles(Profiles.configPath(environment)), paths.stateDir(), environment, mapper);
        this.sessions.listen(agents);
        this.workspaces = new Workspaces(workspaceSettings, paths.stateDir(), mapper);
        // Before restore: sessions found again (or found lost) there carry on in their workspaces.
        sessions.listen(workspaces);
        this.workers = WorkerPool.requests();
    }

    /** What the daemon's sessions inherit: its own environment less what the service manager meant for corrald alone. */
    static Map<String, String> sessionEnvironment(Map<String, String> own) {
        Map<String, String> environment = new HashMap<>(own);
        environment.keySet().removeAll(ServiceManager.VARIABLES);
        return Map.copyOf(environment);
    }

    public static Daemon start(DaemonPaths paths, CorralServer.Limits limits, SessionRegistry.Limits sessionLimits,
            EventHub.Limits eventLimits, ContainerSettings containers, Workspaces.Settings workspaceSettings,
            ServiceManager manager) throws IOException, SocketOwnership.AlreadyRunningException {
        Daemon daemon = new Daemon(paths, sessionLimits, eventLimits, containers, workspaceSettings, manager);
        daemon.ownership = SocketOwnership.claim(paths, manager.listenFd().isPresent());
        try {
            // Before anything in the state directory is read: another daemon's sessions there are not ours to mark lost.
            daemon.stateLock = StateDirectoryLock.claim(paths);
        } catch (IOException | SocketOwnership.AlreadyRunningException e) {
            daemon.ownership.close();
            throw e;
        }
        // Only once the socket and state are ours: a daemon that is refused exits with its reason as its last words.
        daemon.sessions.warmUp();
        Thread rehearsal = new Thread(() -> CorralServer.rehearse(OperationTable.rehearsal(daemon), daemon.workers,
                daemon.mapper, limits), "request-rehearsal");
        rehearsal.setDaemon(true);
        rehearsal.start();
        try {
            // Before the sessions are restored, so that sessions lost with the last daemon are evented.
            daemon.events = EventHub.open(paths.eventsDir(), daemon.mapper, eventLimits);
            SessionEvents sessionEvents = new SessionEvents(daemon.events);
            EventHub hub = daemon.events;
            daemon.workspaces.publishTo((type, data) -> hub.publish(dev.corral.protocol.Events.LEASES, type, data));
            daemon.sessions.listen(sessionEvents);
            daemon.sessions.publishContainerEvents((type, data) -> hub.publish(dev.corral.protocol.Events.CONTAINERS, type, data));
            daemon.sessions.restore();
            daemon.workspaces.serving();
            joinQuietly(rehearsal, Duration.ofSeconds(5));
            daemon.server = CorralServer.bind(paths.socket(), manager.listenFd(), OperationTable.standard(daemon),
                    daemon.workers, daemon.mapper, limits);
            daemon.ownership.restrictSocket();
        } catch (IOException | RuntimeException e) {
            if (daemon.server != null) {
                daemon.server.close();
            }
            if (daemon.events != null) {
                daemon.events.close();
            }
            daemon.stateLock.close();
            daemon.ownership.close();
            throw e;
        }
        log.info("corrald {} ready (pid {}, state in {})", daemon.version(), daemon.pid(), paths.stateDir());
        manager.ready("serving " + paths.socket() + " (" + daemon.sessions.list(false).size() + " live sessions)");
        manager.watchdogInterval().ifPresent(daemon::startWatchdog);
        return daemon;
    }

    private static void joinQuietly(Thread thread, Duration limit) {
        try {
            thread.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * WATCHDOG=1 at half the manager's timeout, but only while every event loop still runs a
     * task: a daemon whose loops are stuck stops vouching for itself and the manager restarts it.
     */
    private void startWatchdog(Duration interval) {
        log.info("service watchdog: telling the service manager every {} ms that corrald is alive", interval.toMillis());
        manager.watchdog();
        watchdog = new Thread(() -> {
            while (!stopping.get()) {
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                if (stopping.get()) {
                    return;
                }
                if (server.responsive(interval)) {
                    manager.watchdog();
                } else {
                    log.warn("an event loop did not run a task within {} ms; not sending WATCHDOG=1", interval.toMillis());
                }
            }
        }, "corral-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    public String version() {
        return Version.daemon();
    }

    public long pid() {
        return ProcessHandle.current().pid();
    }

    public Instant startedAt() {
        return startedAt;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public Agents agents() {
        return agents;
    }

    /** Where events are published: {@code events().publish(channel, type, data)}, from any thread. */
    public EventHub events() {
        return events;
    }

    public Workspaces workspaces() {
        return workspaces;
    }

    public DaemonPaths paths() {
        return paths;
    }

    public String transportName() {
        return server.transportName();
    }

    public int connections() {
        return server.connections();
    }

    /** Starts a shutdown on its own thread, so the caller (often an event loop) is not blocked. */
    public void shutdownAsync(String reason) {
        Thread thread = new Thread(() -> shutdown(reason), "corral-shutdown");
        thread.setDaemon(false);
        thread.start();
    }

    /** Stops everything once; later calls wait for the first to finish. */
    public void shutdown(String reason) {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        log.info("stopping: {}", reason);
        manager.stopping("stopping: " + reason);
        if (watchdog != null) {
            watchdog.interrupt();
        }
        try {
            synchronized (this) {
                if (web != null) {
                    web.close();
                }
            }
            server.close();
            workers.shutdownNow();
            sessions.close();
            agents.close();
            events.close();
            workspaces.close();
        } finally {
            stateLock.close();
            ownership.close();
            manager.close();
            log.info(manager.listenFd().isPresent() ? "stopped; socket {} stays with the service manager that made it"
                    : "stopped; socket {} removed", paths.socket());
            stopped.countDown();
        }
    }

    /**
     * Starts the web view on {@code address} ({@code HOST:PORT}) unless it runs; answers its URL,
     * with the token. A second call returns the running one's URL.
     */
    public synchronized String startWeb(String address, boolean insecureBind) throws IOException {
        if (web == null) {
            web = dev.corral.daemon.server.web.WebServer.start(webAddress(address), insecureBind, server,
                    OperationTable.standard(this), workers, sessions, events, mapper, paths.stateDir().resolve("web").resolve("token"));
        }
        return web.url();
    }

    /** The running web view, if any. */
    public synchronized java.util.Optional<dev.corral.daemon.server.web.WebServer> web() {
        return java.util.Optional.ofNullable(web);
    }

    /** Where the web view listens, when it runs (the commands see the address, not the transport). */
    public java.util.Optional<java.net.InetSocketAddress> webListening() {
        return web().map(dev.corral.daemon.server.web.WebServer::address);
    }

    static java.net.InetSocketAddress webAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("--web takes ADDRESS:PORT, e.g. 127.0.0.1:7681, not '" + address + "'");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the web view's port must be 0 to 65535 (0: any free one), not '"
                    + address.substring(colon + 1) + "'");
        }
        return new java.net.InetSocketAddress(host, port);
    }

    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
