package dev.corral.protocol.args;

/** {@code session.list}: the live sessions, or with {@code all} the exited ones not yet reaped too. */
public record ListArgs(boolean all) {}
