package dev.corral.daemon.session;

import java.util.Objects;

/**
 * An agent session's readiness, as its watcher reads the screen: starting, awaiting-input, ready,
 * stuck or exited (before it was ready), with the text on screen when stuck or exited. Null
 * (and no agent) for a session spawned without a profile.
 */
final class Readiness {
    private volatile String agent;
    private volatile String state;
    private volatile String stuckOn;

    String agent() {
        return agent;
    }

    void agent(String profile) {
        agent = profile;
    }

    String state() {
        return state;
    }

    String stuckOn() {
        return stuckOn;
    }

    /** Moves on; false when nothing changed. */
    synchronized boolean move(String next, String screen) {
        if (next.equals(state) && Objects.equals(screen, stuckOn)) {
            return false;
        }
        state = next;
        stuckOn = screen;
        return true;
    }
}
