package dev.corral.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Which subcommand a command line names, so that only it is registered. */
class CorralTest {
    @Test
    void theFirstWordAfterTheRootOptionsIsTheSubcommand() {
        assertEquals("ls", Corral.subcommandNamed(new String[] {"ls", "--all"}));
        assertEquals("ls", Corral.subcommandNamed(new String[] {"--json", "ls"}));
        assertEquals("ping", Corral.subcommandNamed(new String[] {"--socket", "/run/x.sock", "ping"}));
        assertEquals("ping", Corral.subcommandNamed(new String[] {"--socket=/run/x.sock", "--json", "ping"}));
        assertEquals("spawn", Corral.subcommandNamed(new String[] {"spawn", "--", "ls"}));
    }

    @Test
    void noSubcommandMeansNone() {
        assertNull(Corral.subcommandNamed(new String[] {}));
        assertNull(Corral.subcommandNamed(new String[] {"--help"}));
        assertNull(Corral.subcommandNamed(new String[] {"--socket", "ls"}), "ls is --socket's value here");
        assertNull(Corral.subcommandNamed(new String[] {"--", "ls"}));
    }
}
