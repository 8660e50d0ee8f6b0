package dev.corral.protocol.result;

/** {@code session.tail}: the session's most recent output. */
public record Tail(String name, String output) {}
