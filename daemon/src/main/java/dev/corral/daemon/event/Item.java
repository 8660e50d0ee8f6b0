package dev.corral.daemon.event;

/** What a subscription delivers, one frame each: an event of the daemon, or a gap of its own. */
sealed interface Item permits Event, Gap {}
