package dev.corral.protocol.result;

/** {@code container.logs}, before the stream: the session, its container and whether the log is followed. */
public record ContainerLogStream(String name, String container, boolean follow) {}
