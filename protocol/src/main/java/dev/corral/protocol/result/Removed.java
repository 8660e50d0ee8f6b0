package dev.corral.protocol.result;

import java.util.List;

/** {@code session.remove}. */
public record Removed(String name, boolean removed, List<String> warnings) {}
