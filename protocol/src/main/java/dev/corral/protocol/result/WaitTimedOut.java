package dev.corral.protocol.result;

/** {@code session.wait}, args.timeoutSeconds passed first. */
public record WaitTimedOut(String name, boolean timedOut) {}
