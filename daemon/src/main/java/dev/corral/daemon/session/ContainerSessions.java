package dev.corral.daemon.session;

import dev.corral.daemon.container.ContainerEngine;
import dev.corral.daemon.container.ContainerEvents;
import dev.corral.daemon.container.ContainerOperations;
import dev.corral.daemon.container.EngineException;
import dev.corral.protocol.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The operations on container sessions beyond their life ({@code container logs}, {@code shell},
 * {@code snapshot}, {@code ps}, the image check of an agent): what the engine is asked is
 * {@link ContainerOperations}; here its failures become refusals, and a shell or a log reading
 * becomes a session.
 */
public final class ContainerSessions {
    /** Starts a session as the registry does. */
    interface Spawner {
        Session spawn(SessionSpec spec) throws Refusal;
    }

    private final ContainerOperations containers;
    private final SessionRegistry.Limits limits;
    private final ScheduledExecutorService timer;
    private final Spawner spawner;
    /** Whether a session of that name is registered. */
    private final Predicate<String> taken;
    /** The engine's events about this daemon's containers; null until the daemon asks for them. */
    private volatile ContainerEvents events;

    ContainerSessions(ContainerOperations containers, SessionRegistry.Limits limits, ScheduledExecutorService timer,
            Spawner spawner, Predicate<String> taken) {
        this.containers = containers;
        this.limits = limits;
        this.timer = timer;
        this.spawner = spawner;
        this.taken = taken;
    }

    /** Publishes the engine's events about this daemon's containers to {@code sink}, while {@code anyRunning} says so. */
    void publishEvents(ContainerEvents.Sink sink, BooleanSupplier anyRunning) {
        events = new ContainerEvents(containers.engine(), containers.owner(), sink, anyRunning);
    }

    /** A container session starts or is adopted: the engine's events are wanted from now on. */
    void inUse() {
        ContainerEvents current = events;
        if (current != null) {
            current.ensureRunning();
        }
    }

    void close() {
        ContainerEvents current = events;
        if (current != null) {
            current.close();
        }
    }

    private interface EngineCall<T> {
        T run() throws EngineException;
    }

    private static <T> T engineCall(EngineCall<T> call) throws Refusal {
        try {
            return call.run();
        } catch (EngineException e) {
            throw new Refusal(e.code(), e.getMessage());
        }
    }

    /** The programs of {@code binaries} the image lacks (see {@link ContainerOperations#missingInImage}). */
    public List<String> missingInImage(String image, List<String> binaries) throws Refusal {
        return engineCall(() -> containers.missingInImage(image, binaries));
    }

    /** The container of a container session, or a refusal naming what the session is instead. */
    public String containerOf(Session session) throws Refusal {
        if (session instanceof ContainerSession containerSession) {
            return containerSession.container();
        }
        throw new Refusal(ErrorCode.BAD_REQUEST, "session '" + session.name() + "' is a " + session.kind()
                + " session, not a container; 'corral container ps' lists the containers");
    }

    /** Every container of this daemon that the engine holds, running or not: one {@code docker ps -a}. */
    public List<ContainerEngine.Listed> containers() throws Refusal {
        return engineCall(containers::containers);
    }

    /**
     * A reading of a container session's log, to be attached to one client and then begun; it
     * belongs to that client and is never listed.
     */
    public ContainerLog containerLog(Session session, boolean follow, Integer tail) throws Refusal {
        String container = containerOf(session);
        List<String> argv = engineCall(() -> containers.logArgv(container, follow, tail));
        SessionSpec spec = new SessionSpec("logs-" + session.name(), SessionSpec.Kind.CONTAINER, argv,
                session.spec().cwd(), Map.of(), session.spec().cols(), session.spec().rows());
        return new ContainerLog(spec, SessionNames.newId(), new Session.Context(limits.replayBytes(), limits.clientQueueBytes(),
                SessionListener.NONE, timer, limits.idleAfter()), argv, containers.engine().environment());
    }

    /**
     * A shell in a running container session: {@code docker exec -it} in a PTY session of its own
     * (named NAME-shell, NAME-shell-2, ...), attachable like any session.
     */
    public Session openShell(Session session) throws Refusal {
        String container = containerOf(session);
        if (!session.running()) {
            throw new Refusal(ErrorCode.CONFLICT, "session '" + session.name() + "' has exited; its container "
                    + container + " runs nothing to open a shell in");
        }
        String name = session.name() + "-shell";
        for (int n = 2; taken.test(name); n++) {
            name = session.name() + "-shell-" + n;
        }
        String shellName = name;
        List<String> argv = engineCall(() -> containers.shellArgv(container, shellName));
        SessionSpec shell = new SessionSpec(name, SessionSpec.Kind.PTY, argv, session.spec().cwd(), containers.clientEnvironment(),
                session.spec().cols(), session.spec().rows(), session.spec().workspace(), null);
        return spawner.spawn(shell);
    }

    /** {@code docker commit}: the container session's filesystem as the image {@code corral-agent:TAG}. */
    public Map<String, Object> snapshot(Session session, String tag) throws Refusal {
        String container = containerOf(session);
        return engineCall(() -> containers.snapshot(container, session.name(), tag));
    }

}
