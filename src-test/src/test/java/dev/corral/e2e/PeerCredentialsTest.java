package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real second uid (nobody) reaching the socket is refused by peer credentials, and the refusal
 * is logged. The directory and socket permissions are opened up on purpose here so that the
 * credential check, the second line of defence, is what stops it.
 */
class PeerCredentialsTest {
    private static final int NOBODY = 65534;

    private static final String PEER = String.join("\n",
            "import socket, struct, sys, json",
            "s = socket.socket(socket.AF_UNIX)",
            "s.connect(sys.argv[1])",
            "body = json.dumps({'id': 1, 'op': 'hello', 'args': {'version': 1}}).encode()",
            "try:",
            "    s.sendall(struct.pack('>I', len(body)) + body)",
            "except OSError:",
            "    pass",
            "head = s.recv(4, socket.MSG_WAITALL)",
            "frame = json.loads(s.recv(struct.unpack('>I', head)[0], socket.MSG_WAITALL))",
            "print(frame['error']['code'])",
            "try:",
            "    rest = s.recv(1)",
            "except ConnectionResetError:",
            "    rest = b''",
            "print('closed' if rest == b'' else 'open')",
            "");

    @TempDir
    Path dir;

    @Test
    void anotherUserIsRefusedAndLogged() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            sandbox.startDaemon();
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(sandbox.socket().getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(sandbox.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            Path script = dir.resolve("peer.py");
            Files.writeString(script, PEER);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));

            Run.Result result = Run.command(Map.of(), Duration.ofSeconds(30), Run.argv("setpriv",
                    "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                    "/usr/bin/python3", script, sandbox.socket()));

            assertEquals(0, result.exit(), result.toString());
            assertEquals("PEER_REFUSED\nclosed\n", result.out(), result.toString());
            Deadline.await(Duration.ofSeconds(10), () -> "the refusal in " + sandbox.log(),
                    () -> logContains(sandbox.log(), "refused a connection from uid " + NOBODY));
            assertTrue(RawPeer.answers(sandbox.socket()), "the daemon's own user is still served");
        }
    }

    private static boolean logContains(Path log, String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }
}
