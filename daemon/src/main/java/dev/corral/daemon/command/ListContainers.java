package dev.corral.daemon.command;

import dev.corral.daemon.container.ContainerEngine;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.NoArgs;
import dev.corral.protocol.result.ContainerList;
import dev.corral.protocol.result.ContainerView;
import java.util.ArrayList;
import java.util.List;

/** This daemon's containers as the engine lists them by label, running or not (one docker ps -a, on a worker). */
final class ListContainers extends BoundOperation<NoArgs> {
    private final SessionRegistry sessions;

    ListContainers(SessionRegistry sessions) {
        super(NoArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.CONTAINER_PS;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(NoArgs args, Caller caller) throws Refusal {
        List<ContainerView> containers = new ArrayList<>();
        for (ContainerEngine.Listed listed : sessions.containers()) {
            containers.add(new ContainerView(listed.session(), listed.name(),
                    listed.id().substring(0, Math.min(12, listed.id().length())), listed.state(), listed.status(),
                    listed.image(), listed.task(), listed.issue().isEmpty() ? null : listed.issue(), listed.createdAt()));
        }
        return Reply.ok(new ContainerList(containers));
    }
}
