package dev.corral.protocol.result;

/** {@code session.send}: the bytes queued for the session's input. */
public record Sent(String name, int bytes) {}
