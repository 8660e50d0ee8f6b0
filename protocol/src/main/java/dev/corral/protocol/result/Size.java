package dev.corral.protocol.result;

/** A terminal's size. */
public record Size(int cols, int rows) {}
