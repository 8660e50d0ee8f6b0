package dev.corral.protocol.args;

import dev.corral.protocol.Protocol;

/**
 * {@code session.attach}: a read-only attach neither types nor resizes; {@code noReplay} skips
 * the replay of recent output; {@code cols} and {@code rows} (0: leave as is) resize the session.
 */
public record AttachArgs(@Required String name, boolean readOnly, boolean noReplay, Integer scrollback, Integer cols,
        Integer rows) {
    public AttachArgs {
        scrollback = Check.range("scrollback", scrollback, 0, 0, 100_000);
        cols = Check.range("cols", cols, 0, 0, Protocol.MAX_TERMINAL_SIZE);
        rows = Check.range("rows", rows, 0, 0, Protocol.MAX_TERMINAL_SIZE);
    }
}
