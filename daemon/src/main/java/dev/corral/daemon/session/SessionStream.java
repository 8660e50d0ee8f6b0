package dev.corral.daemon.session;

import dev.corral.daemon.terminal.Chunk;
import dev.corral.daemon.terminal.Pty;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's output path and its clients: what the terminal writes goes to the status
 * ({@link IdleTimer}), the replay, screen and clients ({@link FanOut}) and the listeners; clients
 * join with a redraw and leave, each told to the listeners. {@link Session} keeps the life and the
 * kind's hooks and hands this the rest.
 */
final class SessionStream {
    private static final Logger log = LoggerFactory.getLogger(SessionStream.class);

    private final Session session;
    private final FanOut fanOut;
    private final IdleTimer idle;
    private final Session.Context context;

    SessionStream(Session session, FanOut fanOut, IdleTimer idle, Session.Context context) {
        this.session = session;
        this.fanOut = fanOut;
        this.idle = idle;
        this.context = context;
    }

    /** See {@link Session#sink}. */
    Pty.Sink sink(IntConsumer ended) {
        return new Pty.Sink() {
            @Override
            public boolean output(Chunk chunk, byte[] bytes, int length) {
                return SessionStream.this.output(chunk, bytes, length);
            }

            @Override
            public void ended(int exitCode) {
                SessionEnds.run(session.name(), () -> ended.accept(exitCode));
            }
        };
    }

    /** Terminal output: kept for replay and the screen, sent to every client; false while all are behind. */
    boolean output(Chunk chunk, byte[] bytes, int length) {
        idle.outputSeen();
        boolean more = fanOut.output(chunk, bytes, length);
        context.listener().output(session, bytes, length);
        return more;
    }

    /** Output that comes as arrays, on a reader thread of its own: it waits there while every client is behind. */
    void output(byte[] buffer, int length) {
        if (!output(Chunk.copyOf(buffer, 0, length), buffer, length)) {
            try {
                fanOut.awaitResume();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** See {@link Session#attach(AttachedClient, boolean, boolean, int)}. */
    Attachment attach(AttachedClient client, boolean readOnly, boolean withReplay, int scrollbackLines) {
        Attachment attachment = new Attachment(session, client, readOnly, context.maxQueuedBytes());
        FanOut.Redraw redraw = session.rawStream() ? FanOut.Redraw.NONE : withReplay ? FanOut.Redraw.SCREEN : FanOut.Redraw.MODES;
        if (!fanOut.attach(attachment, redraw, scrollbackLines)) {
            // Ended: the session's lock is taken only now, never inside the output path's.
            Integer code = session.exitCode();
            client.exited(code == null ? -1 : code);
            return attachment;
        }
        log.info("client attached to session {}{}", session.name(), readOnly ? " (read-only)" : "");
        context.listener().attached(session, readOnly);
        return attachment;
    }

    /** A client left; answers whether it was the last one. */
    boolean detach(Attachment attachment, String reason) {
        boolean[] wasAndLast = fanOut.detach(attachment);
        if (!wasAndLast[0]) {
            return false;
        }
        log.info("client detached from session {}: {}", session.name(), reason);
        context.listener().detached(session, reason);
        return wasAndLast[1];
    }

    /** The program ended: every attached client gets the status and is closed. */
    void ended(Integer code) {
        for (Attachment attachment : fanOut.close()) {
            attachment.client().exited(code == null ? -1 : code);
        }
    }
}
