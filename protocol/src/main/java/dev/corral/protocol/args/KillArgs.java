package dev.corral.protocol.args;

/** {@code session.kill}: the signal's name, TERM when absent. */
public record KillArgs(@Required String name, String signal) {
    public KillArgs {
        signal = signal == null ? "TERM" : signal;
    }
}
