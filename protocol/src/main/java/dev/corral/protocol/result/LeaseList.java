package dev.corral.protocol.result;

import java.util.List;

/** {@code lease.list}: the live leases, after cleaning the stale ones listed in {@code cleaned}. */
public record LeaseList(List<LeaseView> leases, List<Cleaned> cleaned) {}
