package dev.corral.protocol.result;

/** {@code web.start}: the URL with its token, and the address listened on. */
public record WebStarted(String url, String address) {}
