package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Every operation the daemon serves, listed once: the single place to add one. */
public final class OperationTable {
    private final Map<String, Operation> operations = new LinkedHashMap<>();

    public static OperationTable standard(Daemon daemon) {
        return new OperationTable()
                .add(new Hello(daemon))
                .add(new Ping(daemon))
                .add(new DaemonStatus(daemon))
                .add(new Shutdown(daemon))
                .add(new Spawn(daemon.sessions(), daemon.agents(), daemon.workspaces()))
                .add(new ListSessions(daemon.sessions()))
                .add(new ShowSession(daemon.sessions()))
                .add(new KillSession(daemon.sessions()))
                .add(new RemoveSession(daemon.sessions()))
                .add(new WaitSession(daemon.sessions()))
                .add(new SendInput(daemon.sessions()))
                .add(new TailOutput(daemon.sessions()))
                .add(new ScreenSession(daemon.sessions()))
                .add(new AttachSession(daemon.sessions()))
                .add(new ListProfiles(daemon.agents()))
                .add(new ShowProfile(daemon.agents()))
                .add(new SubscribeEvents(daemon.events()))
                .add(new BuildImage(daemon.sessions()))
                .add(new ListContainers(daemon.sessions()))
                .add(new ReadContainerLog(daemon.sessions()))
                .add(new OpenContainerShell(daemon.sessions()))
                .add(new SnapshotContainer(daemon.sessions()))
                .add(new ListLeases(daemon.workspaces()))
                .add(new ShowLease(daemon.workspaces()))
                .add(new ReleaseLease(daemon.workspaces()))
                .add(new StartWeb(daemon));
    }

    /** Only what a connection's first requests need: for rehearsing the request path before serving. */
    public static OperationTable rehearsal(Daemon daemon) {
        return new OperationTable().add(new Hello(daemon)).add(new Ping(daemon));
    }

    public OperationTable add(Operation operation) {
        if (operations.putIfAbsent(operation.name(), operation) != null) {
            throw new IllegalStateException("operation " + operation.name() + " registered twice");
        }
        return this;
    }

    public Optional<Operation> find(String name) {
        return Optional.ofNullable(operations.get(name));
    }

    public Iterable<String> names() {
        return operations.keySet();
    }
}
