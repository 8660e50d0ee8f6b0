package dev.corral.daemon;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.agent.Agents;
import dev.corral.daemon.agent.Profiles;
import dev.corral.daemon.command.OperationTable;
import dev.corral.daemon.event.EventHub;
import dev.corral.daemon.event.SessionEvents;
import dev.corral.daemon.container.ContainerSettings;
import dev.corral.daemon.server.CorralServer;
import dev.corral.daemon.server.SocketOwnership;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.daemon.workspace.Workspaces;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running corrald: owns the socket (through {@link SocketOwnership}), the server, the
 * worker pool, and the single path that stops them all.
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    /** Work that may block waits here; at the bound a request is answered BUSY. */
    private static final int WORKER_QUEUE = 256;

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
    private SocketOwnership ownership;
    private CorralServer server;

    private Daemon(DaemonPaths paths, SessionRegistry.Limits sessionLimits, EventHub.Limits eventLimits,
            ContainerSettings containers, Workspaces.Settings workspaceSettings) {
        this.paths = paths;
        this.eventLimits = eventLimits;
        this.sessions = new SessionRegistry(sessionLimits, paths.stateDir(), paths.socket(), mapper, System.getenv(), containers);
        this.agents = new Agents(new Profiles(Profiles.configPath(System.getenv())), paths.stateDir(), System.getenv(), mapper);
        this.sessions.listen(agents);
        this.workspaces = new Workspaces(workspaceSettings, paths.stateDir(), mapper);
        // Before restore: sessions found again (or found lost) there carry on in their workspaces.
        sessions.listen(workspaces);
        this.workers = new ThreadPoolExecutor(2, 16, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(WORKER_QUEUE), runnable -> {
                    Thread thread = new Thread(runnable, "corral-worker");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    public static Daemon start(DaemonPaths paths, CorralServer.Limits limits, SessionRegistry.Limits sessionLimits,
            EventHub.Limits eventLimits, ContainerSettings containers, Workspaces.Settings workspaceSettings)
            throws IOException, SocketOwnership.AlreadyRunningException {
        Daemon daemon = new Daemon(paths, sessionLimits, eventLimits, containers, workspaceSettings);
        daemon.sessions.warmUp();
        daemon.ownership = SocketOwnership.claim(paths);
        try {
            // Before the sessions are restored, so that sessions lost with the last daemon are evented.
            daemon.events = EventHub.open(paths.eventsDir(), daemon.mapper, eventLimits);
            SessionEvents sessionEvents = new SessionEvents(daemon.events);
            EventHub hub = daemon.events;
            daemon.workspaces.publishTo((type, data) -> hub.publish(dev.corral.protocol.Events.LEASES, type, data));
            daemon.sessions.listen(sessionEvents);
            daemon.sessions.publishContainerEvents((type, data) -> hub.publish(dev.corral.protocol.Events.CONTAINERS, type, data));
            daemon.sessions.restore();
            sessionEvents.restored();
            daemon.workspaces.serving();
            daemon.server = CorralServer.bind(paths.socket(), OperationTable.standard(daemon),
                    daemon.workers, daemon.mapper, limits);
            daemon.ownership.restrictSocket();
        } catch (IOException | RuntimeException e) {
            if (daemon.server != null) {
                daemon.server.close();
            }
            if (daemon.events != null) {
                daemon.events.close();
            }
            daemon.ownership.close();
            throw e;
        }
        log.info("corrald {} ready (pid {}, state in {})", daemon.version(), daemon.pid(), paths.stateDir());
        return daemon;
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
        try {
            server.close();
            workers.shutdownNow();
            sessions.close();
            agents.close();
            events.close();
            workspaces.close();
        } finally {
            ownership.close();
            log.info("stopped; socket {} removed", paths.socket());
            stopped.countDown();
        }
    }

    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
