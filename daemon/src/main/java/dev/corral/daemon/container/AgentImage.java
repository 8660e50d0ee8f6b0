package dev.corral.daemon.container;

import dev.corral.daemon.state.FileTrees;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent image, {@code corral-agent:TAG}: built from the recipe shipped inside corrald (its
 * {@code container/} resources) or from a user's Dockerfile with that file's directory as the
 * build context, and labelled with a digest of what it was built from, so that a later spawn can
 * say when the image is stale against the recipe as it is now.
 */
public final class AgentImage {
    private static final Logger log = LoggerFactory.getLogger(AgentImage.class);
    public static final String REPOSITORY = "corral-agent";
    public static final String DEFAULT_TAG = "latest";
    public static final String DEFAULT = REPOSITORY + ":" + DEFAULT_TAG;
    /** The label value of images built from the shipped recipe. */
    public static final String BUILTIN = "builtin";
    /** The shipped recipe: its Dockerfile first, then every file it copies. */
    private static final List<String> RECIPE_FILES = List.of("Dockerfile", "entrypoint.sh");
    /** A build context past either bound is not hashed at each spawn; the digest covers the Dockerfile alone. */
    private static final int HASHED_CONTEXT_FILES = 2000;
    private static final long HASHED_CONTEXT_BYTES = 64L * 1024 * 1024;
    private static final int FAILURE_LINES = 20;

    /** What an image is built from, and its digest. {@code covers}: "context", or "dockerfile" for a context too large to hash. */
    record Recipe(String source, Path dockerfile, Path context, String hash, String covers) {}

    /** What a build is given besides its recipe: {@code --build-arg}s (the shipped recipe takes BASE and AGENT_NPM_PACKAGES) and the steps' network. */
    public record Options(Map<String, String> buildArgs, String network) {
        public static final Options NONE = new Options(Map.of(), null);
    }

    /** A finished build. */
    public record Built(String image, String id, String recipe, String hash, String covers) {}

    private final ContainerEngine engine;
    private final Path scratch;
    private String builtinHash;

    /** @param scratch where the shipped recipe is written out for a build (in the state directory) */
    public AgentImage(ContainerEngine engine, Path scratch) {
        this.engine = engine;
        this.scratch = scratch;
    }

    /** {@code corral-agent:TAG} from the shipped recipe ({@code dockerfile} null) or the given Dockerfile. */
    public Built build(Path dockerfile, String tag, boolean noCache) throws EngineException {
        return build(dockerfile, tag, noCache, Options.NONE);
    }

    /** As {@link #build(Path, String, boolean)}, with build arguments and a network for the build's steps. */
    public Built build(Path dockerfile, String tag, boolean noCache, Options options) throws EngineException {
        engine.binary();
        String image = REPOSITORY + ":" + tag;
        Path temp = null;
        try {
            Recipe recipe;
            if (dockerfile == null) {
                Files.createDirectories(scratch);
                temp = Files.createTempDirectory(scratch, "build-");
                for (String name : RECIPE_FILES) {
                    Files.write(temp.resolve(name), builtinFile(name));
                }
                recipe = new Recipe(BUILTIN, temp.resolve("Dockerfile"), temp, builtinHash(), "context");
            } else {
                if (!Files.isRegularFile(dockerfile)) {
                    throw new EngineException(ErrorCode.BAD_REQUEST, "no Dockerfile at " + dockerfile);
                }
                recipe = recipe(dockerfile);
            }
            List<String> args = new ArrayList<>(List.of("--file", recipe.dockerfile().toString(), "--tag", image,
                    "--label", Labels.CORRAL + "=true", "--label", Labels.RECIPE + "=" + recipe.source(),
                    "--label", Labels.RECIPE_HASH + "=" + recipe.hash(), "--label", Labels.RECIPE_COVERS + "=" + recipe.covers()));
            if (noCache) {
                args.add("--no-cache");
            }
            options.buildArgs().forEach((name, value) -> {
                args.add("--build-arg");
                args.add(name + "=" + value);
            });
            if (options.network() != null) {
                args.add("--network");
                args.add(options.network());
            }
            args.add(recipe.context().toString());
            log.info("building {} from {} (recipe {})", image, recipe.source(), recipe.hash());
            DockerCli.Result result = engine.build(args);
            if (result.code() != 0) {
                throw new EngineException(ErrorCode.BAD_REQUEST, "docker build of " + image + " from "
                        + describe(recipe.source()) + " failed with status " + result.code() + "; its last lines:\n"
                        + lastLines(result.output(), FAILURE_LINES));
            }
            String id = engine.imageId(image).orElse("");
            log.info("built {} ({})", image, id);
            return new Built(image, id, recipe.source(), recipe.hash(), recipe.covers());
        } catch (IOException | UncheckedIOException e) {
            throw new EngineException(ErrorCode.BAD_REQUEST, "cannot read the build context of " + image + ": " + e.getMessage());
        } finally {
            if (temp != null) {
                deleteTree(temp);
            }
        }
    }

    /**
     * A warning when the image was built by corral from a recipe that has changed since; empty
     * when it is current, was not built by corral, or its Dockerfile is gone.
     */
    public Optional<String> staleness(String image, Map<String, String> labels) {
        String source = labels.get(Labels.RECIPE);
        String built = labels.get(Labels.RECIPE_HASH);
        if (source == null || built == null) {
            return Optional.empty();
        }
        String now;
        try {
            if (BUILTIN.equals(source)) {
                now = builtinHash();
            } else if (Files.isRegularFile(Path.of(source))) {
                now = recipe(Path.of(source)).hash();
            } else {
                return Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot hash the recipe of {}: {}", image, e.toString());
            return Optional.empty();
        }
        if (now.equals(built)) {
            return Optional.empty();
        }
        String rebuild = "corral image build" + (BUILTIN.equals(source) ? "" : " --dockerfile " + source);
        if (image.startsWith(REPOSITORY + ":") && !image.equals(DEFAULT)) {
            rebuild += " --tag " + image.substring(REPOSITORY.length() + 1);
        }
        return Optional.of("image " + image + " is stale: " + describe(source) + " changed since it was built (recipe "
                + abbreviate(built) + ", now " + abbreviate(now) + "); rebuild it with '" + rebuild + "'");
    }

    /** The digest of the shipped recipe; it cannot change while the daemon runs. */
    synchronized String builtinHash() throws IOException {
        if (builtinHash == null) {
            Digest digest = new Digest();
            digest.dockerfile(builtinFile("Dockerfile"));
            for (String name : RECIPE_FILES.stream().sorted().toList()) {
                digest.file(name, builtinFile(name));
            }
            builtinHash = digest.hex();
        }
        return builtinHash;
    }

    /** A user's Dockerfile with its directory as the context: the digest covers both when the context is small enough. */
    static Recipe recipe(Path dockerfile) throws IOException {
        Path file = dockerfile.toAbsolutePath().normalize();
        Path context = file.getParent();
        Digest digest = new Digest();
        digest.dockerfile(Files.readAllBytes(file));
        List<Path> files = contextFiles(context);
        if (files == null) {
            return new Recipe(file.toString(), file, context, digest.hex(), "dockerfile");
        }
        for (Path path : files) {
            try (InputStream in = Files.newInputStream(path)) {
                digest.file(context.relativize(path).toString(), in);
            }
        }
        return new Recipe(file.toString(), file, context, digest.hex(), "context");
    }

    /** The context's regular files in a stable order, {@code .git} left out; null when past the bounds. */
    private static List<Path> contextFiles(Path context) throws IOException {
        List<Path> files = new ArrayList<>();
        long[] bytes = {0};
        boolean[] tooLarge = {false};
        Files.walkFileTree(context, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.getFileName() != null && dir.getFileName().toString().equals(".git") && !dir.equals(context)
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    files.add(file);
                    bytes[0] += attrs.size();
                    if (files.size() > HASHED_CONTEXT_FILES || bytes[0] > HASHED_CONTEXT_BYTES) {
                        tooLarge[0] = true;
                        return FileVisitResult.TERMINATE;
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (tooLarge[0]) {
            return null;
        }
        files.sort(Comparator.comparing(path -> context.relativize(path).toString()));
        return files;
    }

    private static byte[] builtinFile(String name) throws IOException {
        try (InputStream in = AgentImage.class.getResourceAsStream("/container/" + name)) {
            if (in == null) {
                throw new IOException("the daemon's jar lacks its agent recipe file container/" + name);
            }
            return in.readAllBytes();
        }
    }

    private static String describe(String source) {
        return BUILTIN.equals(source) ? "the agent recipe shipped with corrald" : source + " (with its build context)";
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }

    static String lastLines(String text, int count) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    private static void deleteTree(Path root) {
        try {
            FileTrees.delete(root);
        } catch (IOException e) {
            log.warn("could not remove the build directory {}: {}", root, e.toString());
        }
    }

    /** SHA-256 over the Dockerfile, then each file as its relative path, its length and its bytes. */
    private static final class Digest {
        private final MessageDigest sha;

        Digest() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }

        void dockerfile(byte[] content) {
            sha.update(("dockerfile\0" + content.length + "\0").getBytes(StandardCharsets.UTF_8));
            sha.update(content);
        }

        void file(String relative, byte[] content) {
            sha.update(("file\0" + relative + "\0" + content.length + "\0").getBytes(StandardCharsets.UTF_8));
            sha.update(content);
        }

        void file(String relative, InputStream in) throws IOException {
            sha.update(("file\0" + relative + "\0").getBytes(StandardCharsets.UTF_8));
            try (DigestInputStream digesting = new DigestInputStream(in, sha)) {
                digesting.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }

        String hex() {
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        }
    }
}
