package dev.corral.protocol.result;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** One lease of {@code lease.list} or {@code lease.show}: its workspace, the lease, how old its heartbeat is and whether this daemon holds it. */
public record LeaseView(String workspace, @JsonUnwrapped LeaseRecord lease, long heartbeatAgeSeconds, boolean self) {}
