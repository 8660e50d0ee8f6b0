package dev.corral.protocol.result;

/** {@code hello}: the protocol version agreed, the daemon's version and pid. */
public record Welcome(int version, String daemon, long pid) {}
