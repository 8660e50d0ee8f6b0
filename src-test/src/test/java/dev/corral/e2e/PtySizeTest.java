package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.Op;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's program never sees a terminal size other than the one asked for, not even in its
 * first instant: pty4j sets the size only after the fork, so without corral's hold a program that
 * reads it at once sometimes saw {@code 0 0}. Spawned over the socket so that 200 stay fast.
 */
class PtySizeTest {
    private static final int SESSIONS = 200;

    @TempDir
    Path dir;
    Sandbox sandbox;

    @BeforeEach
    void startDaemon() throws IOException {
        sandbox = new Sandbox(dir);
        sandbox.startDaemon("--max-sessions", Integer.toString(SESSIONS + 10));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyProgramSeesTheRequestedSizeFromItsFirstInstant() throws IOException {
        List<String> wrong = new ArrayList<>();
        try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
            peer.hello();
            for (int i = 0; i < SESSIONS; i++) {
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("name", "size-" + i);
                args.put("command", List.of("sh", "-c", "stty size"));
                args.put("cwd", dir.toString());
                args.put("env", Map.of());
                args.put("cols", 100);
                args.put("rows", 30);
                Map<String, Object> spawned = peer.request(Op.SPAWN, args);
                assertEquals(null, spawned.get("error"), "spawn " + i + " failed: " + spawned + "\n" + sandbox.logTail(20));
            }
            for (int i = 0; i < SESSIONS; i++) {
                String name = "size-" + i;
                Map<String, Object> waited = peer.request(Op.WAIT, Map.of("name", name, "timeoutSeconds", 15));
                Map<String, Object> result = (Map<String, Object>) waited.get("result");
                Object code = result == null ? null : result.get("exitCode");
                if (!(code instanceof Number number && number.intValue() == 0)) {
                    wrong.add(name + " did not exit 0: " + waited);
                    continue;
                }
                Map<String, Object> tail = (Map<String, Object>) peer.request(Op.TAIL, Map.of("name", name)).get("result");
                String output = tail == null ? "(no tail)" : String.valueOf(tail.get("output"));
                if (!output.strip().equals("30 100")) {
                    wrong.add(name + " saw '" + output.strip() + "'");
                }
            }
        }
        assertEquals(List.of(), wrong, "sessions that saw a size other than 100x30, of " + SESSIONS);
    }
}
