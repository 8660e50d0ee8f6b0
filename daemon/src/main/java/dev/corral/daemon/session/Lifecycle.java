package dev.corral.daemon.session;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Where a session is in its life: starting, running, then exited with a status or lost without
 * one, once. {@link #exit} completes at the end with the status (null when lost).
 */
final class Lifecycle {
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private Session.State state = Session.State.STARTING;
    private Integer exitCode;
    private Instant endedAt;

    CompletableFuture<Integer> exit() {
        return exit;
    }

    synchronized Session.State state() {
        return state;
    }

    synchronized boolean running() {
        return state == Session.State.STARTING || state == Session.State.RUNNING;
    }

    synchronized Integer exitCode() {
        return exitCode;
    }

    synchronized Instant endedAt() {
        return endedAt;
    }

    /** Starting to running; false if it was not starting. */
    synchronized boolean start() {
        if (state != Session.State.STARTING) {
            return false;
        }
        state = Session.State.RUNNING;
        return true;
    }

    /** Records the end; false if it had ended already (the first end stands). {@link #complete} follows. */
    synchronized boolean end(Session.State how, Integer code, Instant when) {
        if (state == Session.State.EXITED || state == Session.State.LOST) {
            return false;
        }
        state = how;
        exitCode = code;
        endedAt = when;
        return true;
    }

    void complete() {
        exit.complete(exitCode());
    }
}
