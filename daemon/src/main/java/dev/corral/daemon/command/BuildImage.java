package dev.corral.daemon.command;

import com.fasterxml.jackson.databind.JsonNode;
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

    private static final Pattern BUILD_ARG = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern NETWORK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    /** {@code args.buildArgs}: an object of names to string values, each a {@code --build-arg NAME=VALUE}. */
    private static Map<String, String> buildArgs(Request request) throws SessionException {
        JsonNode given = request.args().get("buildArgs");
        Map<String, String> buildArgs = new LinkedHashMap<>();
        if (given == null || given.isNull()) {
            return buildArgs;
        }
        if (!given.isObject()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args.buildArgs must be an object of names to strings");
        }
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) given::fields) {
            if (!BUILD_ARG.matcher(entry.getKey()).matches() || !entry.getValue().isTextual()) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "args.buildArgs." + entry.getKey()
                        + " must be a name (letters, digits, '_') with a string value");
            }
            buildArgs.put(entry.getKey(), entry.getValue().asText());
        }
        return buildArgs;
    }

    /** {@code args.network}: the network the build's steps run in (docker build --network), e.g. "host". */
    private static String network(Request request) throws SessionException {
        if (!request.args().hasNonNull("network")) {
            return null;
        }
        String network = text(request, "network", null);
        if (!NETWORK.matcher(network).matches()) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "args.network '" + network + "' is not a network name");
        }
        return network;
    }

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
            AgentImage.Built built = sessions.images().build(dockerfile, tag, flag(request, "force"),
                    new AgentImage.Options(buildArgs(request), network(request)));
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
