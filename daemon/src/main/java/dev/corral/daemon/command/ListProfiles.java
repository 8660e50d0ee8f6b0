package dev.corral.daemon.command;

import dev.corral.daemon.agent.Agents;
import dev.corral.daemon.agent.Profile;
import dev.corral.daemon.session.SessionException;
import dev.corral.protocol.Op;
import java.util.Map;

/** Every agent profile, built in and from config.toml. Reads the config file: on a worker. */
final class ListProfiles implements Operation {
    private final Agents agents;

    ListProfiles(Agents agents) {
        this.agents = agents;
    }

    @Override
    public String name() {
        return Op.PROFILE_LIST;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    public Reply run(Request request, Caller caller) {
        try {
            return Reply.ok(Map.of("config", agents.profiles().configFile().toString(),
                    "profiles", agents.profiles().all().values().stream().map(Profile::describe).toList()));
        } catch (SessionException e) {
            return Reply.error(e.code(), e.getMessage());
        }
    }
}
