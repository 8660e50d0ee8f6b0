package dev.corral.protocol.result;

/** {@code ping}. */
public record Pong(boolean pong, String daemon, int protocol) {}
