package dev.corral.protocol.args;

/** {@code session.tail}: at most {@code bytes} of recent output; absent, the whole replay buffer. */
public record TailArgs(@Required String name, Integer bytes) {
    public TailArgs {
        bytes = Check.atLeast("bytes", bytes, 0);
    }
}
