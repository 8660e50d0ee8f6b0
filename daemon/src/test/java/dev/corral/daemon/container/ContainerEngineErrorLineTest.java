package dev.corral.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The line of docker's stderr a refusal quotes: what went wrong, not the notice docker prints first. */
class ContainerEngineErrorLineTest {
    @Test
    void skipsTheLegacyBuilderNoticeAndQuotesTheEngineThatDidNotAnswer() {
        String err = """
                DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
                            Install the buildx component to build images with BuildKit:
                            https://docs.docker.com/go/buildx/

                time="2026-12-01T22:44:11Z" level=error msg="Can't close tar writer: io: read/write on closed pipe"
                Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?
                """;
        assertEquals("Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?",
                DockerErrors.errorLine(err));
    }

    @Test
    void otherwiseTheLastLineThatIsNotANotice() {
        assertEquals("ERROR: failed to solve: no such image",
                DockerErrors.errorLine("DEPRECATED: old\n    more\n\nstep 1\nERROR: failed to solve: no such image\n"));
        assertEquals("(docker printed nothing)", DockerErrors.errorLine("  \n"));
    }
}
