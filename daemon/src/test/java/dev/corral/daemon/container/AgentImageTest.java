package dev.corral.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digest an image is labelled with, and the staleness a spawn reads from it. */
class AgentImageTest {
    @TempDir
    Path dir;

    @Test
    void theDigestCoversTheDockerfileAndItsContextButNotGit() throws Exception {
        Path dockerfile = dir.resolve("Dockerfile");
        Files.writeString(dockerfile, "FROM scratch\nCOPY a.txt /\n");
        Files.writeString(dir.resolve("a.txt"), "one");
        AgentImage.Recipe first = AgentImage.recipe(dockerfile);
        assertEquals("context", first.covers());
        assertTrue(first.hash().startsWith("sha256:"), first.hash());

        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        assertEquals(first.hash(), AgentImage.recipe(dockerfile).hash(), ".git is not part of what an image is built from");

        Files.writeString(dir.resolve("a.txt"), "two");
        assertNotEquals(first.hash(), AgentImage.recipe(dockerfile).hash(), "a context file changed");
    }

    @Test
    void staleOnlyWhenTheRecipeChangedSinceTheBuild() throws Exception {
        AgentImage images = new AgentImage(new ContainerEngine(new ContainerSettings(null, "default", null, null), Map.of()), dir);
        String builtin = images.builtinHash();
        assertTrue(images.staleness("corral-agent:latest", Map.of(Labels.RECIPE, "builtin", Labels.RECIPE_HASH, builtin)).isEmpty());
        String warning = images.staleness("corral-agent:latest", Map.of(Labels.RECIPE, "builtin", Labels.RECIPE_HASH, "sha256:0ld"))
                .orElseThrow();
        assertTrue(warning.contains("is stale") && warning.contains("'corral image build'"), warning);
        assertTrue(images.staleness("other:1", Map.of()).isEmpty(), "an image corral did not build is never called stale");
    }
}
