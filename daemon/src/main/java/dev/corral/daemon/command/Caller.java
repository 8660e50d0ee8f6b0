package dev.corral.daemon.command;

import io.netty.channel.Channel;

/** The connection a request came in on, for operations that act on it. */
public record Caller(Channel channel, String peer) {}
