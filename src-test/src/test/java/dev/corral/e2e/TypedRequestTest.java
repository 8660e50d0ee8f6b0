package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests bound to their typed records, through the real daemon: a value of the wrong JSON type
 * is refused, never read as a default ({@code "force": "yes"} was read as false), and so are
 * unknown and missing fields; each refusal names its field. An agent profile of kind = "container" is a container session or a clear refusal,
 * never INTERNAL.
 */
@Timeout(120)
class TypedRequestTest {
    @TempDir
    Path dir;
    Sandbox sandbox;

    @BeforeEach
    void start() throws IOException {
        Path config = Files.writeString(dir.resolve("config.toml"), """
                [profile.boxed]
                command = ["sh", "-c", "echo boxed"]
                kind = "container"
                """);
        sandbox = new Sandbox(dir).withEnv("CORRAL_CONFIG", config.toString())
                .withEnv("DOCKER_HOST", "unix://" + dir.resolve("no-engine.sock"));
        sandbox.startDaemon();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> error(Map<String, Object> frame) {
        assertTrue(frame.get("error") instanceof Map, frame.toString());
        return (Map<String, Object>) frame.get("error");
    }

    @Test
    void aForceThatIsNotABooleanIsRefusedAndTheSessionStays() throws IOException {
        sandbox.ok("spawn", "--name", "kept", "--", "sleep", "300");
        try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
            assertTrue(peer.hello().containsKey("result"));
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("name", "kept");
            args.put("force", "yes");
            Map<String, Object> refused = error(peer.request("session.remove", args));
            assertEquals("BAD_REQUEST", refused.get("code"), refused.toString());
            assertTrue(String.valueOf(refused.get("message")).contains("args.force must be a boolean"), refused.toString());

            Map<String, Object> unknown = error(peer.request("session.kill", Map.of("name", "kept", "sig", "KILL")));
            assertEquals("BAD_REQUEST", unknown.get("code"), unknown.toString());
            assertTrue(String.valueOf(unknown.get("message")).contains("args.sig is not an argument of 'session.kill'"),
                    unknown.toString());

            Map<String, Object> missing = error(peer.request("session.show", Map.of()));
            assertEquals("BAD_REQUEST", missing.get("code"), missing.toString());
            assertTrue(String.valueOf(missing.get("message")).contains("'session.show' needs args.name"), missing.toString());

            Map<String, Object> coerced = error(peer.request("session.spawn", Map.of("command", List.of("true"), "cols", "80")));
            assertTrue(String.valueOf(coerced.get("message")).contains("args.cols must be a whole number"), coerced.toString());

            assertTrue(peer.request("ping", null).containsKey("result"), "the connection stays usable");
        }
        assertEquals("running", sandbox.show("kept").get("state"), "neither removed nor killed");
        Run.Result listed = sandbox.ok("ls");
        assertTrue(listed.out().contains("kept"), listed.toString());
    }

    @Test
    void aContainerProfileIsAContainerSessionOrAClearRefusal() throws IOException {
        Run.Result shown = sandbox.ok("--json", "profile", "show", "boxed");
        assertTrue(shown.out().contains("\"kind\":\"container\""), shown.toString());

        Run.Result noWorkspace = sandbox.corral("spawn", "--agent", "boxed", "--name", "boxed");
        assertEquals(1, noWorkspace.exit(), noWorkspace.toString());
        assertTrue(noWorkspace.err().contains("BAD_REQUEST") && noWorkspace.err().contains("needs a workspace"),
                noWorkspace.toString());

        // With a workspace it goes to the engine, which is not there: said so, not INTERNAL.
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        Run.Result noEngine = sandbox.corral("spawn", "--agent", "boxed", "--name", "boxed", "--workspace", workspace);
        assertTrue(noEngine.exit() != 0, noEngine.toString());
        assertFalse(noEngine.err().contains("INTERNAL"), noEngine.toString());
        assertTrue(noEngine.err().contains("MISSING_DEPENDENCY") || noEngine.err().contains("UNAVAILABLE"), noEngine.toString());
        assertFalse(sandbox.logTail(200).contains("bug:"), sandbox.logTail(200));
    }
}
