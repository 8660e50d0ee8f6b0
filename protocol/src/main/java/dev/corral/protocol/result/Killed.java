package dev.corral.protocol.result;

/** {@code session.kill}: the signal sent. */
public record Killed(String name, String signal) {}
