package dev.corral.protocol.args;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code image.build}: the user's Dockerfile (absent: the shipped recipe), the tag of
 * {@code corral-agent:TAG} (absent: the default), {@code --build-arg}s and the build's network.
 */
public record BuildImageArgs(String dockerfile, String tag, boolean force, Map<String, String> buildArgs, String network) {
    private static final Pattern BUILD_ARG = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern NETWORK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    public BuildImageArgs {
        Check.absolute("dockerfile", dockerfile);
        Check.imageTag("tag", tag);
        buildArgs = buildArgs == null ? Map.of() : buildArgs;
        for (String name : buildArgs.keySet()) {
            if (!BUILD_ARG.matcher(name).matches()) {
                throw new InvalidArgument("buildArgs", "args.buildArgs." + name
                        + " must be a name (letters, digits, '_') with a string value");
            }
        }
        Check.matches("network", network, NETWORK, "a network name");
    }
}
