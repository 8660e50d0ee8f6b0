package dev.corral.daemon.session;

import dev.corral.daemon.process.ProgramCall;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tmux pane's output bytes, as the program wrote them: tmux's {@code pipe-pane -O} copies each
 * read of the pane into a {@code cat} that writes to this FIFO, which the daemon reads. (tmux
 * 3.3a frees a dying pane's buffer while control-mode output of it is still queued and then
 * crashes the server on it; pipe-pane copies the bytes at once, so the daemon's control client
 * asks for no output at all.) The daemon opens the FIFO for reading and writing, so it never
 * sees an end-of-file while a {@code cat} comes and goes.
 */
final class TmuxOutput {
    private static final Logger log = LoggerFactory.getLogger(TmuxOutput.class);
    private static final int READ_CHUNK = 16 * 1024;

    /** Receives output on the reader thread; the buffer is reused after the call. */
    interface Sink {
        void accept(byte[] buffer, int length);
    }

    private final Path fifo;
    private final FileChannel channel;

    private TmuxOutput(Path fifo, FileChannel channel) {
        this.fifo = fifo;
        this.channel = channel;
    }

    /** Makes a fresh FIFO (mode 0600) at {@code fifo} and starts handing what comes through it to {@code sink}. */
    static TmuxOutput open(Path fifo, Map<String, String> environment, Sink sink) throws IOException {
        Files.createDirectories(fifo.getParent());
        Files.deleteIfExists(fifo);
        ProgramCall.Outcome made = ProgramCall.run(List.of("mkfifo", "-m", "600", fifo.toString()), environment,
                Duration.ofSeconds(5));
        if (made.code() != 0 || !Files.exists(fifo, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(fifo)) {
            throw new IOException("could not make the FIFO " + fifo + ": " + made.err().strip());
        }
        FileChannel channel = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        TmuxOutput output = new TmuxOutput(fifo, channel);
        Thread reader = new Thread(() -> output.pump(sink), "tmux-output-" + fifo.getFileName());
        reader.setDaemon(true);
        reader.start();
        return output;
    }

    /** The pipe-pane command: a {@code cat} that appends to the FIFO (its path quoted for sh). */
    String pipeCommand() {
        return "exec cat >> '" + fifo.toString().replace("'", "'\\''") + "'";
    }

    private void pump(Sink sink) {
        ByteBuffer buffer = ByteBuffer.allocate(READ_CHUNK);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                if (buffer.position() > 0) {
                    sink.accept(buffer.array(), buffer.position());
                }
            }
        } catch (ClosedChannelException e) {
            // Closed by the session: its end, or the daemon's.
        } catch (IOException e) {
            log.debug("reading {} ended: {}", fifo, e.toString());
        }
    }

    /** Stops reading and removes the FIFO. */
    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing {} failed: {}", fifo, e.toString());
        }
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            log.debug("removing {} failed: {}", fifo, e.toString());
        }
    }
}
