package dev.corral.client;

import dev.corral.protocol.Op;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How long the client waits for corrald's answer to one request, so that a daemon that never
 * answers (one that hangs, or whose jar was replaced under it and cannot build a reply) ends the
 * command with {@code NO_REPLY} and exit 5 instead of leaving it waiting for ever. Each limit is
 * the daemon's own bound on that work with room to spare; {@code wait} without {@code --timeout}
 * is the one request with no limit, since its answer comes when the session ends.
 */
final class ReplyLimit {
    /** Seconds that replace every limit below (0: no limit), for a slow machine or a test. */
    static final String ENV = "CORRAL_REPLY_TIMEOUT";
    /** Answered from what the daemon holds in memory (ls, show, tail, ping, the hello...). */
    static final Duration QUICK = Duration.ofSeconds(30);
    /** Work the daemon bounds itself: a container spawn (60 s), a workspace's lock (30 s), docker and tmux calls (30 s). */
    static final Duration SLOW = Duration.ofMinutes(3);
    /** docker build and docker commit, which corrald gives 60 minutes. */
    static final Duration BUILD = Duration.ofMinutes(65);

    private static final Set<String> QUICK_OPS = Set.of(Op.HELLO, Op.PING, Op.DAEMON_STATUS, Op.LIST, Op.SHOW, Op.TAIL,
            Op.SCREEN, Op.SEND, Op.ATTACH, Op.SUBSCRIBE, Op.PROFILE_LIST, Op.PROFILE_SHOW, Op.LEASE_LIST, Op.LEASE_SHOW,
            Op.WEB_START);

    private ReplyLimit() {}

    /** The limit for {@code op} with these arguments, or null for none. */
    static Duration of(String op, Map<String, ?> args, Map<String, String> env) {
        Duration override = override(env);
        if (Op.WAIT.equals(op)) {
            Object seconds = args == null ? null : args.get("timeoutSeconds");
            if (!(seconds instanceof Number number) || number.longValue() <= 0 || (override != null && override.isZero())) {
                return null;
            }
            return Duration.ofSeconds(number.longValue()).plus(override != null ? override : QUICK);
        }
        Duration limit = override != null ? override
                : QUICK_OPS.contains(op) ? QUICK
                : Op.IMAGE_BUILD.equals(op) || Op.CONTAINER_SNAPSHOT.equals(op) ? BUILD
                : SLOW;
        return limit.isZero() ? null : limit;
    }

    private static Duration override(Map<String, String> env) {
        String value = env.get(ENV);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds >= 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // Said below, with the variable's name.
        }
        throw new CliFailure(Exit.USAGE, "USAGE", ENV + "='" + value + "' is not a number of seconds (0 or more; 0: no limit)");
    }

    /** What the user reads when the limit passed. */
    static String describe(String op, Duration limit, java.nio.file.Path socket) {
        return "corrald on " + socket + " did not answer " + op + " within " + limit.toSeconds() + " s (a daemon that hangs,"
                + " or one whose jar was replaced under it: STATE/log/corrald.log says why); " + ENV + "=SECONDS waits longer";
    }
}
