package dev.corral.protocol.result;

/** A line for the user from a workspace's checks: {@code level} "info" (the banner) or "warning". */
public record Notice(String level, String text) {}
