package dev.corral.protocol.args;

/** The arguments of an operation on one named thing: {@code session.show}, {@code container.shell}, {@code profile.show}. */
public record NameArgs(@Required String name) {}
