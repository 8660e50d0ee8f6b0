package dev.corral.daemon.command;

import dev.corral.daemon.container.AgentImage;
import dev.corral.daemon.container.EngineException;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Builds {@code corral-agent:TAG} from the shipped recipe or a user's Dockerfile. Runs docker build, so on a worker. */
final class BuildImage extends SessionOperation {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    BuildImage(SessionRegistry sessions) {
        super(sessions);
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
    Reply serve(Request request, Caller caller) throws SessionException {
        Path dockerfile = null;
        if (request.args().hasNonNull("dockerfile")) {
            dockerfile = Path.of(text(request, "dockerfile", null));
            if (!dockerfile.isAbsolute()) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "args.dockerfile must be an absolute path");
            }
        }
        String tag = text(request, "tag", AgentImage.DEFAULT_TAG);
        if (!TAG.matcher(tag).matches()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args.tag '" + tag
                    + "' is not a tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'");
        }
        try {
            AgentImage.Built built = sessions.images().build(dockerfile, tag, flag(request, "force"));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("image", built.image());
            result.put("id", built.id());
            result.put("recipe", built.recipe());
            result.put("hash", built.hash());
            result.put("covers", built.covers());
            return Reply.ok(result);
        } catch (EngineException e) {
            throw new SessionException(e.code(), e.getMessage());
        }
    }
}
