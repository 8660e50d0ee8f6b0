package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The moment a program ends races whatever a client does to its session: {@code rm --force}
 * must stay final across a restart (the exit handler never saves a removed session again), and
 * {@code kill} or {@code rm --force} of a session that has just exited must not fail as INTERNAL.
 */
class SessionEndRaceTest {
    static final int ROUNDS = 100;

    @TempDir
    Path dir;

    @Test
    void removeForceRightAtTheExitIsFinalAcrossARestart() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            sandbox.startDaemon();
            Map<String, Integer> answers = new TreeMap<>();
            try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
                peer.hello();
                for (int i = 0; i < ROUNDS; i++) {
                    String name = "r" + i;
                    spawn(peer, name, "true");
                    answers.merge(outcome(peer.request("session.remove", Map.of("name", name, "force", true))), 1,
                            Integer::sum);
                }
                System.out.println("SessionEndRaceTest: rm --force right after spawn answered " + answers);
                assertEquals(Map.of("ok", ROUNDS), answers, "every rm --force succeeds\n" + sandbox.logTail(20));
                assertEquals(List.of(), sessions(peer));
            }
            assertEquals(List.of(), records(sandbox), "records of removed sessions left on disk");
            sandbox.ok("daemon", "stop");
            sandbox.startDaemon();
            try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
                peer.hello();
                assertEquals(List.of(), sessions(peer), "removed sessions came back after a restart");
            }
        }
    }

    @Test
    void killRightAfterTheExitIsNeverInternal() throws IOException {
        try (Sandbox sandbox = new Sandbox(dir)) {
            sandbox.startDaemon();
            Map<String, Integer> answers = new TreeMap<>();
            try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
                peer.hello();
                for (int i = 0; i < ROUNDS; i++) {
                    String name = "k" + i;
                    spawn(peer, name, "true");
                    answers.merge(outcome(peer.request("session.kill", Map.of("name", name, "signal", "KILL"))), 1,
                            Integer::sum);
                }
            }
            System.out.println("SessionEndRaceTest: kill right after spawn answered " + answers);
            answers.keySet().forEach(outcome -> assertTrue(outcome.equals("ok") || outcome.equals("CONFLICT"),
                    "kill answered " + answers + "\n" + sandbox.logTail(20)));
        }
    }

    private void spawn(RawPeer peer, String name, String program) throws IOException {
        Map<String, Object> spawned = peer.request("session.spawn",
                Map.of("name", name, "command", List.of(program), "cwd", dir.toString()));
        assertTrue(spawned.containsKey("result"), spawned.toString());
    }

    private static String outcome(Map<String, Object> frame) {
        return frame.containsKey("result") ? "ok" : (String) ((Map<?, ?>) frame.get("error")).get("code");
    }

    private static List<?> sessions(RawPeer peer) throws IOException {
        return (List<?>) ((Map<?, ?>) peer.request("session.list", Map.of("all", true)).get("result")).get("sessions");
    }

    private static List<String> records(Sandbox sandbox) throws IOException {
        Path dir = sandbox.stateDir().resolve("sessions");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted().toList();
        }
    }
}
