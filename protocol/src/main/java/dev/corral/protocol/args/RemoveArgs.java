package dev.corral.protocol.args;

/** {@code session.remove}: with {@code force}, a live session is killed first. */
public record RemoveArgs(@Required String name, boolean force) {}
