package dev.corral.daemon.command;

import dev.corral.daemon.agent.Agents;
import dev.corral.daemon.session.SessionException;
import dev.corral.protocol.Op;

/** One agent profile as the daemon would use it. Reads the config file: on a worker. */
final class ShowProfile implements Operation {
    private final Agents agents;

    ShowProfile(Agents agents) {
        this.agents = agents;
    }

    @Override
    public String name() {
        return Op.PROFILE_SHOW;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    public Reply run(Request request, Caller caller) {
        try {
            return Reply.ok(agents.profiles().require(SessionOperation.text(request, "name", null)).describe());
        } catch (SessionException e) {
            return Reply.error(e.code(), e.getMessage());
        }
    }
}
