package dev.corral.protocol.result;

/** {@code session.wait}, the program exited: its code and the session's state. */
public record Waited(String name, Integer exitCode, String state) {}
