package dev.corral.protocol.args;

/** {@code lease.show} and {@code lease.release}: a workspace's absolute path; {@code force} releases a live lease. */
public record LeaseArgs(@Required String workspace, boolean force) {}
