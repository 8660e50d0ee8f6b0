package dev.corral.protocol.args;

/** {@code session.screen}: with {@code ansi}, each row with its SGR attributes too. */
public record ScreenArgs(@Required String name, boolean ansi) {}
