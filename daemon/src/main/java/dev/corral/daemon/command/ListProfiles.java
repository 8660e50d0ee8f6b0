package dev.corral.daemon.command;

import dev.corral.daemon.agent.Agents;
import dev.corral.daemon.agent.Profile;
import dev.corral.daemon.session.Refusal;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.NoArgs;
import dev.corral.protocol.result.ProfileList;

/** Every agent profile, built in and from config.toml. Reads the config file: on a worker. */
final class ListProfiles extends BoundOperation<NoArgs> {
    private final Agents agents;

    ListProfiles(Agents agents) {
        super(NoArgs.class);
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
    Reply serve(NoArgs args, Caller caller) throws Refusal {
        return Reply.ok(new ProfileList(agents.profiles().configFile().toString(),
                agents.profiles().all().values().stream().map(Profile::describe).toList()));
    }
}
