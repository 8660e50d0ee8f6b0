package dev.corral.daemon.command;

import dev.corral.daemon.agent.Agents;
import dev.corral.daemon.session.Refusal;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.NameArgs;

/** One agent profile as the daemon would use it. Reads the config file: on a worker. */
final class ShowProfile extends BoundOperation<NameArgs> {
    private final Agents agents;

    ShowProfile(Agents agents) {
        super(NameArgs.class);
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
    Reply serve(NameArgs args, Caller caller) throws Refusal {
        return Reply.ok(agents.profiles().require(args.name()).describe());
    }
}
