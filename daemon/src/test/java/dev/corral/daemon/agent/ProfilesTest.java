package dev.corral.daemon.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A config.toml's profiles: a container profile with its image, and broken files refused as FILE:LINE: key. */
class ProfilesTest {
    @TempDir
    Path dir;

    private Profiles profiles(String toml) throws IOException {
        return new Profiles(Files.writeString(dir.resolve("config.toml"), toml));
    }

    private String refusal(String toml) throws IOException {
        Profiles profiles = profiles(toml);
        Refusal refused = assertThrows(Refusal.class, profiles::all);
        assertEquals(ErrorCode.BAD_CONFIG, refused.code(), refused.getMessage());
        return refused.getMessage();
    }

    private static void assertStarts(String prefix, String message) {
        assertTrue(message.startsWith(prefix), message);
    }

    @Test
    void aContainerProfileCarriesItsImage() throws Exception {
        Profile boxed = profiles("""
                [profile.boxed]
                command = ["agent"]
                kind = "container"
                image = "corral-agent:mine"
                """).require("boxed");
        assertEquals(SessionSpec.Kind.CONTAINER, boxed.kind());
        assertEquals("corral-agent:mine", boxed.image());
        assertEquals("corral-agent:mine", boxed.describe().image());
    }

    @Test
    void brokenProfilesNameTheFileTheLineAndTheKey() throws Exception {
        String file = dir.resolve("config.toml").toString();
        assertEquals(file + ":4: profile.plain.image goes with kind = \"container\" (the image the agent runs in)", refusal("""
                [profile.plain]
                command = ["agent"]

                image = "corral-agent:mine"
                """));
        assertStarts(file + ":4: profile.boxed.image '-not an image' is not an image reference", refusal("""
                [profile.boxed]
                command = ["agent"]
                kind = "container"
                image = "-not an image"
                """));
        assertStarts(file + ":3: unknown key 'colour' in [profile.x]", refusal("""
                [profile.x]
                command = ["agent"]
                colour = "red"
                """));
        // A syntax error's line is the TOML parser's own.
        assertStarts(file + ":", refusal("""
                [profile.x]
                command = ["agent"
                """));
    }

    @Test
    void theBuiltInProfilesBind() {
        assertTrue(Profiles.builtIns().keySet().containsAll(java.util.List.of("claude", "codex", "generic")),
                Profiles.builtIns().keySet().toString());
    }

    @Test
    void aFullProfileBindsEveryKey() throws Exception {
        Profile full = profiles("""
                [profile.full]
                command = ["agent", "--yes"]
                requires = ["agent"]
                env = { A = "1" }
                prompt = "flag:--prompt"
                mcp_flag = "--mcp"
                ready_when = "> $"
                not_when = "working"
                post_spawn = "/clear"
                start_timeout = "2m"
                stuck_after = 15
                responders = [{ when = 'trust\\?', keys = "Enter", within = "500ms" }, { when = "y/n", send = "y\\r" }]

                [profile.full.mcp.servers.files]
                command = "files-server"
                """).require("full");
        assertEquals(java.util.List.of("agent", "--yes"), full.command());
        assertEquals(java.util.Map.of("A", "1"), full.env());
        assertEquals("--mcp", full.mcpFlag());
        assertEquals("> $", full.readyWhen().pattern());
        assertEquals(java.time.Duration.ofMinutes(2), full.startTimeout());
        assertEquals(java.time.Duration.ofSeconds(15), full.stuckAfter());
        assertEquals(2, full.responders().size());
        assertEquals(java.time.Duration.ofMillis(500), full.responders().get(0).within());
        assertEquals("y\r", full.responders().get(1).send());
        assertTrue(full.mcp().containsKey("servers"), full.mcp().toString());
    }

    @Test
    void valuesOfTheWrongKindNameTheirKeyAndLine() throws Exception {
        String file = dir.resolve("config.toml").toString();
        assertEquals(file + ":3: profile.x.requires must be an array of strings, such as [\"claude\"]", refusal("""
                [profile.x]
                command = ["agent"]
                requires = "agent"
                """));
        // The key is not there: the line of its table.
        assertEquals(file + ":1: profile.x.command must be a non-empty array of strings", refusal("""
                [profile.x]
                requires = ["agent"]
                """));
        assertStarts(file + ":3: profile.x.start_timeout must be a duration such as \"30s\"", refusal("""
                [profile.x]
                command = ["agent"]
                start_timeout = "soon"
                """));
        assertStarts(file + ":3: profile.x.ready_when is not a valid regular expression", refusal("""
                [profile.x]
                command = ["agent"]
                ready_when = "(unclosed"
                """));
        assertStarts(file + ":3: a responder of profile.x needs when", refusal("""
                [profile.x]
                command = ["agent"]
                responders = [{ keys = "Enter" }]
                """));
        assertStarts(file + ":3: unknown key 'colour' in a responder of profile.x", refusal("""
                [profile.x]
                command = ["agent"]
                responders = [{ when = "a", keys = "Enter", colour = "red" }]
                """));
        assertStarts(file + ":2: profile.x.command[1] must be a string", refusal("""
                [profile.x]
                command = ["agent", 5]
                """));
        assertStarts(file + ":1: unknown key 'top' (profiles go in [profile.NAME] tables)", refusal("""
                top = 1
                """));
    }
}
