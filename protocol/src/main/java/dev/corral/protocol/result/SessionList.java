package dev.corral.protocol.result;

import java.util.List;

/** {@code session.list}. */
public record SessionList(List<SessionView> sessions) {}
