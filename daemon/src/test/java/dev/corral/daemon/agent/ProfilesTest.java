package dev.corral.daemon.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.daemon.session.SessionException;
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
        SessionException refused = assertThrows(SessionException.class, profiles::all);
        assertEquals(ErrorCode.BAD_CONFIG, refused.code(), refused.getMessage());
        return refused.getMessage();
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
        assertTrue(refusal("""
                [profile.boxed]
                command = ["agent"]
                kind = "container"
                image = "-not an image"
                """).startsWith(file + ":4: profile.boxed.image '-not an image' is not an image reference"));
        assertTrue(refusal("""
                [profile.x]
                command = ["agent"]
                colour = "red"
                """).startsWith(file + ":3: unknown key 'colour' in [profile.x]"));
        // A syntax error's line is the TOML parser's own.
        assertTrue(refusal("""
                [profile.x]
                command = ["agent"
                """).startsWith(file + ":"), "names the file");
    }
}
