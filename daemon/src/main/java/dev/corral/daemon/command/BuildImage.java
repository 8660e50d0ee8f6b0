package dev.corral.daemon.command;

import dev.corral.daemon.container.AgentImage;
import dev.corral.daemon.container.EngineException;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.BuildImageArgs;
import dev.corral.protocol.result.ImageBuilt;
import java.nio.file.Path;

/** Builds {@code corral-agent:TAG} from the shipped recipe or a user's Dockerfile. Runs docker build, so on a worker. */
final class BuildImage extends BoundOperation<BuildImageArgs> {
    private final SessionRegistry sessions;

    BuildImage(SessionRegistry sessions) {
        super(BuildImageArgs.class);
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return Op.IMAGE_BUILD;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    Reply serve(BuildImageArgs args, Caller caller) throws Refusal {
        Path dockerfile = args.dockerfile() == null ? null : Path.of(args.dockerfile());
        String tag = args.tag() == null ? AgentImage.DEFAULT_TAG : args.tag();
        try {
            AgentImage.Built built = sessions.images().build(dockerfile, tag, args.force(),
                    new AgentImage.Options(args.buildArgs(), args.network()));
            return Reply.ok(new ImageBuilt(built.image(), built.id(), built.recipe(), built.hash(), built.covers()));
        } catch (EngineException e) {
            throw new Refusal(e.code(), e.getMessage());
        }
    }
}
