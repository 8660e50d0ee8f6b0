package dev.corral.client;

import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code corral image build}: the agent image, made by the daemon through the docker CLI. */
@Command(name = "image", description = "The agent image container sessions run.", subcommands = ImageCommand.Build.class)
final class ImageCommand {
    @ParentCommand
    Corral corral;

    @Command(name = "build", description = "Build corral-agent:TAG from the recipe shipped with corrald, or from a Dockerfile.")
    static final class Build implements Callable<Integer> {
        @ParentCommand
        ImageCommand image;

        @Option(names = "--dockerfile", paramLabel = "FILE", description = "Build from this Dockerfile, with its directory as the build context.")
        Path dockerfile;

        @Option(names = "--tag", paramLabel = "TAG", defaultValue = "latest", converter = Values.ImageTag.class, description = "The image's tag (default: ${DEFAULT-VALUE}).")
        String tag;

        @Option(names = "--force", description = "Build without the engine's cache.")
        boolean force;

        @Option(names = "--build-arg", paramLabel = "NAME=VALUE", description = "A build argument, repeatable; the shipped "
                + "recipe takes BASE (its base image, default debian:bookworm-slim) and AGENT_NPM_PACKAGES.")
        Map<String, String> buildArgs = new LinkedHashMap<>();

        @Option(names = "--network", paramLabel = "NETWORK", description = "The network the build's steps run in, e.g. host.")
        String network;

        @Override
        public Integer call() {
            Map<String, Object> args = new LinkedHashMap<>();
            if (dockerfile != null) {
                args.put("dockerfile", dockerfile.toAbsolutePath().normalize().toString());
            }
            args.put("tag", tag);
            args.put("force", force);
            if (!buildArgs.isEmpty()) {
                args.put("buildArgs", buildArgs);
            }
            if (network != null) {
                args.put("network", network);
            }
            Corral corral = image.corral;
            if (!corral.json) {
                System.err.println("building corral-agent:" + tag + " from "
                        + (dockerfile == null ? "the recipe shipped with corrald" : dockerfile) + " ...");
            }
            Map<String, Object> built;
            try (DaemonConnection daemon = DaemonConnection.open(corral.endpoint(), true)) {
                built = daemon.require(Op.IMAGE_BUILD, args);
            }
            System.out.println(corral.json ? Json.writeString(built)
                    : "built " + built.get("image") + " (" + built.get("id") + "), recipe " + built.get("hash"));
            return Exit.OK;
        }
    }
}
