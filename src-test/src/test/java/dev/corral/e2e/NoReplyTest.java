package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Frames;
import dev.corral.protocol.Json;
import dev.corral.protocol.Protocol;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon that never answers (one that hangs, or whose jar was replaced under it so it cannot
 * build a reply) ends a command with NO_REPLY and exit 5 once the reply's limit passes, instead
 * of leaving {@code corral} waiting for ever. The daemon here is a stand-in on the sandbox's
 * socket that answers the hello (or not) and nothing after it.
 */
class NoReplyTest {
    @TempDir
    Path dir;

    /** Accepts connections on {@code socket}; answers a hello when {@code greets}, and never anything else. */
    private static final class SilentDaemon implements AutoCloseable {
        private final ServerSocketChannel server;
        private final List<SocketChannel> peers = new CopyOnWriteArrayList<>();

        SilentDaemon(Path socket, boolean greets) throws IOException {
            Files.createDirectories(socket.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> accept(greets), "silent-daemon");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void accept(boolean greets) {
            try {
                while (true) {
                    SocketChannel peer = server.accept();
                    peers.add(peer);
                    Thread reader = new Thread(() -> serve(peer, greets), "silent-daemon-peer");
                    reader.setDaemon(true);
                    reader.start();
                }
            } catch (IOException closed) {
                // The test is over.
            }
        }

        private static void serve(SocketChannel peer, boolean greets) {
            try {
                for (byte[] frame; (frame = Frames.read(peer)) != null; ) {
                    Map<?, ?> request = (Map<?, ?>) Json.read(frame);
                    if (greets && "hello".equals(request.get("op"))) {
                        Frames.write(peer, Json.write(Map.of("id", request.get("id"),
                                "result", Map.of("version", Protocol.VERSION, "server", "stand-in", "pid", 1))));
                    }
                }
            } catch (IOException closed) {
                // The client gave up, as it should.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (SocketChannel peer : peers) {
                peer.close();
            }
        }
    }

    @Test
    void aRequestThatIsNeverAnsweredEndsWithNoReplyAndExit5() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir).withEnv("CORRAL_REPLY_TIMEOUT", "2");
                SilentDaemon daemon = new SilentDaemon(sandbox.socket(), true)) {
            long started = System.nanoTime();
            Run.Result ls = sandbox.corral("ls");
            assertEquals(5, ls.exit(), ls.toString());
            assertTrue(ls.err().contains("corral: corrald on " + sandbox.socket() + " did not answer session.list within 2 s")
                    && ls.err().contains("CORRAL_REPLY_TIMEOUT=SECONDS waits longer") && ls.err().contains("[NO_REPLY]"), ls.toString());
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 30, "the client waited far past its limit");

            Run.Result json = sandbox.corral("--json", "show", "x");
            assertEquals(5, json.exit(), json.toString());
            Map<?, ?> error = (Map<?, ?>) ((Map<?, ?>) Json.read(json.err().strip().getBytes(StandardCharsets.UTF_8))).get("error");
            assertEquals("NO_REPLY", error.get("code"), json.toString());
            assertEquals(5, ((Number) error.get("exit")).intValue(), json.toString());

            // wait's limit is its own --timeout and then the reply limit; corral failing is 125 for wait.
            Run.Result waited = sandbox.corral("wait", "x", "--timeout", "1");
            assertEquals(125, waited.exit(), waited.toString());
            assertTrue(waited.err().contains("did not answer session.wait within 3 s"), waited.toString());
        }
    }

    /** A shell's TAB asks for names: a daemon that never answers costs it 2 s at most, and nothing is printed. */
    @Test
    void completionNamesGiveUpQuicklyAndSilentlyOnADaemonThatNeverAnswers() throws IOException {
        for (boolean greets : new boolean[] {true, false}) {
            Path world = dir.resolve(greets ? "greets" : "mute");
            try (Sandbox sandbox = new Sandbox(world); SilentDaemon daemon = new SilentDaemon(sandbox.socket(), greets)) {
                long started = System.nanoTime();
                Run.Result names = sandbox.corral("completion", "--names", "sessions");
                long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
                assertEquals(0, names.exit(), names.toString());
                assertEquals("", names.out() + names.err(), names.toString());
                // 2 s for the names, the rest a JVM's start on a loaded machine (up to 13 s seen with a load of 30);
                // without the 2 s ceiling the hello alone would wait the default 30 s.
                assertTrue(seconds < 28, "completion waited " + seconds + " s on a daemon that never answers");
            }
        }
    }

    @Test
    void aDaemonThatNeverSaysHelloEndsWithNoReplyAndNoSecondDaemon() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir).withEnv("CORRAL_REPLY_TIMEOUT", "2");
                SilentDaemon daemon = new SilentDaemon(sandbox.socket(), false)) {
            Run.Result ping = sandbox.corral("ping");
            assertEquals(5, ping.exit(), ping.toString());
            assertTrue(ping.err().contains("did not answer hello within 2 s"), ping.toString());
            assertEquals(-1, sandbox.lockHolderPid(), "a daemon was started beside the one that holds the socket");

            Run.Result bad = sandbox.withEnv("CORRAL_REPLY_TIMEOUT", "soon").corral("ping");
            assertEquals(2, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("CORRAL_REPLY_TIMEOUT='soon' is not a number of seconds"), bad.toString());
        }
    }
}
