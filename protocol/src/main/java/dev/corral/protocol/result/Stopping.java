package dev.corral.protocol.result;

import java.util.List;

/** {@code shutdown}: the PTY sessions that end with the daemon, and how many others outlive it. */
public record Stopping(long pid, boolean stopping, List<String> endingSessions, int survivingSessions) {}
