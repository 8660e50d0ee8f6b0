package dev.corral.daemon.command;

/** Who sent a request: its peer, as logs name it. */
public record Caller(String peer) {}
