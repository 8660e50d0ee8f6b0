package dev.corral.daemon.session;

import dev.corral.daemon.container.ContainerEngine;
import dev.corral.daemon.container.ContainerLaunch;
import dev.corral.daemon.container.ContainerOperations;
import dev.corral.daemon.container.EngineException;
import dev.corral.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A session in a Docker container: the container outlives the daemon, and the next one adopts it. */
final class ContainerKind implements SessionKind {
    private static final Logger log = LoggerFactory.getLogger(ContainerKind.class);

    private final Session.Context context;
    private final ContainerOperations containers;
    /** Where each session's engine checks run, one at a time per session: never on the registry's timer. */
    private final Supplier<ScheduledExecutorService> checks;
    /** Per container session, the files it mounts (git pointers), by session id. */
    private final Path containerFiles;
    /** Called when a container session starts or is adopted: the engine's events are wanted from then on. */
    private final Runnable inUse;
    private final Map<String, ContainerEngine.Listed> listed = new HashMap<>();
    private boolean answered = true;

    ContainerKind(Session.Context context, ContainerOperations containers, Supplier<ScheduledExecutorService> checks, Path containerFiles,
            Runnable inUse) {
        this.context = context;
        this.containers = containers;
        this.checks = checks;
        this.containerFiles = containerFiles;
        this.inUse = inUse;
    }

    @Override
    public SessionSpec complete(SessionSpec requested) {
        if (requested.container().memory() != null) {
            return requested;
        }
        return requested.withContainer(requested.container().withMemory(
                ContainerLaunch.automaticMemory(containers.engine().memoryTotal())));
    }

    @Override
    public Session create(SessionSpec spec, String id, Instant createdAt) {
        return new ContainerSession(spec, id, createdAt, context, containers.engine(), checks.get(), containerFiles);
    }

    /**
     * Checks the image (present, or a refusal saying how to build it; stale, a warning), then
     * creates and starts the container. Never pulls: an image not in the engine is refused.
     */
    @Override
    public void start(Session started, SessionSpec requested, Map<String, String> env) throws Refusal {
        ContainerSession session = (ContainerSession) started;
        inUse.run();
        SessionSpec spec = session.spec();
        if (spec.workspace() == null) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "a container session needs a workspace: corral spawn --kind container --workspace DIR");
        }
        String image = spec.container().image();
        try {
            containers.checkImage(image).ifPresent(warning -> {
                log.warn("session {}: {}", spec.name(), warning);
                session.warn(warning);
            });
            ContainerLaunch.Plan plan = ContainerLaunch.plan(new ContainerLaunch.Request(session.container(), spec.name(),
                    session.id(), containers.owner(), spec.workspace(), spec.cwd(), image, spec.container().memory(),
                    spec.container().issue(), requested.env(), spec.command(), session.fixups(), spec.container().files()),
                    containers.engine().settings());
            session.start(plan.args());
        } catch (EngineException e) {
            throw new Refusal(e.code(), e.getMessage());
        }
    }

    @Override
    public void survey(List<SessionStore.Entry> entries) {
        if (entries.stream().noneMatch(e -> e.spec().kind() == SessionSpec.Kind.CONTAINER)) {
            return;
        }
        try {
            for (ContainerEngine.Listed container : containers.containers()) {
                listed.put(container.name(), container);
            }
            inUse.run();
        } catch (EngineException e) {
            answered = false;
            log.warn("the Docker engine did not answer while adopting containers ({}); they stay unknown until it does",
                    e.getMessage());
        }
    }

    @Override
    public boolean adopt(Session session, SessionStore.Entry entry) {
        ContainerSession adopted = (ContainerSession) session;
        ContainerEngine.Listed container = listed.get(adopted.container());
        if (SessionKind.recordedEnded(entry) && (container == null || !container.running())) {
            adopted.restoreEnded(entry.state(), entry.exitCode(), entry.endedAt());
            return true;
        }
        if (!answered) {
            adopted.unknown();
        } else if (container != null) {
            adopted.adopt(container);
        } else {
            adopted.ended(Session.State.LOST, null, Instant.now());
        }
        return false;
    }
}
