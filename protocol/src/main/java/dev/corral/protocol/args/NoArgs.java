package dev.corral.protocol.args;

/** The arguments of an operation that takes none: any field is refused as unknown. */
public record NoArgs() {}
