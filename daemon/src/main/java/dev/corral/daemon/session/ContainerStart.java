package dev.corral.daemon.session;

import dev.corral.daemon.concurrent.Backoff;
import dev.corral.daemon.container.ContainerEngine;
import dev.corral.daemon.container.EngineException;
import dev.corral.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The start of a new container session: waiting until the engine runs the container's command,
 * and, when it never does, the refusal that says why in docker's own words. A program that ran
 * and ended, however quickly, started: it is a session that exited, not a failed spawn.
 */
final class ContainerStart {
    /** How long the engine may take to start a container's command before the spawn gives up. */
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final int DIED_LOG_LINES = 20;

    /** A docker call whose refusal becomes the session layer's. */
    interface EngineCall<T> {
        T run() throws EngineException;
    }

    private ContainerStart() {}

    static <T> T call(EngineCall<T> call) throws Refusal {
        try {
            return call.run();
        } catch (EngineException e) {
            throw new Refusal(e.code(), e.getMessage());
        }
    }

    /**
     * Waits for the engine to run the container's command: a process other than docker's init
     * appears in it, or the container ended after its command ran (a quick program is a session
     * that exited). A start the engine refused, or an init that could not run the command, is
     * dying at start. Answers the state that showed the command started.
     *
     * @param viewGone whether the daemon's docker client has already ended
     * @param clientWords what that client printed, for a container whose log is empty
     */
    static ContainerEngine.State await(ContainerEngine engine, String container, BooleanSupplier viewGone,
            Supplier<String> clientWords, String image) throws Refusal {
        // A start takes a fraction of a second: a few questions, each further apart.
        Backoff backoff = Backoff.of(START_LIMIT, Duration.ofMillis(10), Duration.ofMillis(200));
        while (true) {
            ContainerEngine.State state = call(() -> engine.state(container)).orElseThrow(() -> new Refusal(
                    ErrorCode.UNAVAILABLE, "container " + container + " vanished from the engine while it was starting"));
            boolean created = state.status().equals("created");
            if (state.running()) {
                if (call(() -> engine.commandStarted(container))) {
                    return state;
                }
            } else if (state.failedToStart() || (created && viewGone.getAsBoolean())) {
                throw diedAtStart(engine, container, image, state, clientWords);
            } else if (!created) {
                if (call(() -> engine.commandNeverRan(container, state))) {
                    throw diedAtStart(engine, container, image, state, clientWords);
                }
                // The command ran and ended already: a session that exited, reported as for any session.
                return state;
            }
            if (backoff.expired()) {
                throw new Refusal(ErrorCode.UNAVAILABLE, "the Docker engine at " + engine.address()
                        + " did not start container " + container + " within " + START_LIMIT.toSeconds() + " s");
            }
            backoff.pause();
        }
    }

    private static Refusal diedAtStart(ContainerEngine engine, String container, String image,
            ContainerEngine.State state, Supplier<String> clientWords) {
        String logs;
        try {
            logs = engine.logTail(container, DIED_LOG_LINES);
        } catch (EngineException e) {
            logs = "";
        }
        if (logs.isBlank()) {
            // Nothing in the container's log: what the daemon's docker client printed (the engine's complaint).
            logs = clientWords.get();
        }
        List<String> lines = logs.replace("\r", "").lines().filter(line -> !line.isBlank()).toList();
        lines = lines.subList(Math.max(0, lines.size() - DIED_LOG_LINES), lines.size());
        StringBuilder message = new StringBuilder("container " + container + " (image " + image + ") died at start");
        if (state.exitCode() > 0) {
            message.append(" with status ").append(state.exitCode());
        }
        if (state.failedToStart()) {
            message.append(": ").append(state.error());
        }
        if (lines.isEmpty()) {
            message.append("; it wrote nothing");
        } else {
            message.append("; its last log lines:");
            lines.forEach(line -> message.append("\n  ").append(line));
        }
        return new Refusal(ErrorCode.BAD_REQUEST, message.toString());
    }
}
