package dev.corral.daemon.session;

import dev.corral.daemon.screen.Screen;
import dev.corral.daemon.terminal.Pty;
import dev.corral.protocol.Protocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal a session streams: the program's own PTY, or the PTY in which the daemon keeps its
 * own tmux or docker client attached. None before the start and while that client is being
 * attached again; typing, resizing and signalling then do nothing.
 */
final class SessionTerminal {
    private static final Logger log = LoggerFactory.getLogger(SessionTerminal.class);

    private volatile Pty pty;

    Pty get() {
        return pty;
    }

    void set(Pty terminal) {
        pty = terminal;
    }

    /** Types into the program from the caller's thread, never waiting; false when it takes no more now. */
    boolean write(ByteBuffer bytes) {
        Pty current = pty;
        return current != null && current.write(bytes);
    }

    /** Held to {@link Protocol#MAX_TERMINAL_SIZE}; the model takes the new size before the program hears of it, as a tmux pane does. */
    void resize(int cols, int rows, Screen screen) {
        Pty current = pty;
        if (current != null) {
            cols = Math.max(1, Math.min(cols, Protocol.MAX_TERMINAL_SIZE));
            rows = Math.max(1, Math.min(rows, Protocol.MAX_TERMINAL_SIZE));
            screen.resize(cols, rows);
            current.resize(cols, rows);
        }
    }

    /** Columns and rows now, or the given ones when there is no terminal. */
    int[] size(int cols, int rows) {
        Pty current = pty;
        return current == null ? new int[] {cols, rows} : current.size(cols, rows);
    }

    /** Reads the terminal again after the session's clients held it. */
    void resume() {
        Pty current = pty;
        if (current != null) {
            current.resume();
        }
    }

    /** Signals the process on the terminal (the program, or the daemon's own client), if it is still there. */
    void signal(String signal, String session) {
        Pty current = pty;
        if (current != null && current.alive()) {
            try {
                Signals.send(current.pid(), signal);
            } catch (IOException e) {
                log.debug("terminal process of session {} already gone: {}", session, e.toString());
            }
        }
    }
}
