package dev.corral.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.corral.protocol.Op;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each request's reply limit: the daemon's own bound with room to spare, none only for wait without --timeout. */
class ReplyLimitTest {
    private static final Map<String, String> NO_ENV = Map.of();

    @Test
    void limitsFollowWhatTheDaemonBounds() {
        assertEquals(Duration.ofSeconds(30), ReplyLimit.of(Op.HELLO, null, NO_ENV));
        assertEquals(Duration.ofSeconds(30), ReplyLimit.of(Op.LIST, Map.of("all", true), NO_ENV));
        assertEquals(Duration.ofMinutes(3), ReplyLimit.of(Op.SPAWN, Map.of(), NO_ENV));
        assertEquals(Duration.ofMinutes(3), ReplyLimit.of(Op.REMOVE, Map.of(), NO_ENV));
        assertEquals(Duration.ofMinutes(65), ReplyLimit.of(Op.IMAGE_BUILD, Map.of(), NO_ENV));
        assertNull(ReplyLimit.of(Op.WAIT, Map.of("name", "a"), NO_ENV), "wait without --timeout waits for the session");
        assertEquals(Duration.ofSeconds(130), ReplyLimit.of(Op.WAIT, Map.of("name", "a", "timeoutSeconds", 100), NO_ENV));
    }

    @Test
    void theEnvironmentReplacesEveryLimit() {
        Map<String, String> env = Map.of(ReplyLimit.ENV, "2");
        assertEquals(Duration.ofSeconds(2), ReplyLimit.of(Op.SPAWN, Map.of(), env));
        assertEquals(Duration.ofSeconds(2), ReplyLimit.of(Op.IMAGE_BUILD, Map.of(), env));
        assertEquals(Duration.ofSeconds(7), ReplyLimit.of(Op.WAIT, Map.of("timeoutSeconds", 5), env));
        Map<String, String> none = Map.of(ReplyLimit.ENV, "0");
        assertNull(ReplyLimit.of(Op.LIST, Map.of(), none));
        assertNull(ReplyLimit.of(Op.WAIT, Map.of("timeoutSeconds", 5), none));
        CliFailure bad = assertThrows(CliFailure.class, () -> ReplyLimit.of(Op.PING, null, Map.of(ReplyLimit.ENV, "-1")));
        assertEquals(Exit.USAGE, bad.exitStatus());
    }
}
