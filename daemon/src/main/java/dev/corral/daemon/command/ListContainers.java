package dev.corral.daemon.command;

import dev.corral.daemon.container.ContainerEngine;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** This daemon's containers as the engine lists them by label, running or not (one docker ps -a, on a worker). */
final class ListContainers extends SessionOperation {
    ListContainers(SessionRegistry sessions) {
        super(sessions);
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
    Reply serve(Request request, Caller caller) throws SessionException {
        List<Map<String, Object>> containers = new ArrayList<>();
        for (ContainerEngine.Listed listed : sessions.containers()) {
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("name", listed.session());
            object.put("container", listed.name());
            object.put("id", listed.id().substring(0, Math.min(12, listed.id().length())));
            object.put("state", listed.state());
            object.put("status", listed.status());
            object.put("image", listed.image());
            object.put("task", listed.task());
            object.put("issue", listed.issue().isEmpty() ? null : listed.issue());
            object.put("createdAt", listed.createdAt());
            containers.add(object);
        }
        return Reply.ok(Map.of("containers", containers));
    }
}
