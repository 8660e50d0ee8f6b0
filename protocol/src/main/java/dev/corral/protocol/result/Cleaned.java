package dev.corral.protocol.result;

/** A stale lease removed on the way, and why it was stale. */
public record Cleaned(String workspace, String reason) {}
