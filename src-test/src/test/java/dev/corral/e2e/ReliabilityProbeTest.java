package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile probe of issue 23, bounded so that it runs with every build: fuzzed frames over the
 * raw socket, spawn/remove cycles with a heap check, kill -9 of the daemon in the middle of
 * spawn/remove loops, a full disk under the state directory, symlinks planted where corral keeps
 * files, and a second uid. Each prints its counts ({@code probe ...} lines in the test output);
 * WorkspaceSafetyTest checks each kind of plant's message and log line in detail.
 */
class ReliabilityProbeTest {
    static final int FUZZ_CASES = Integer.getInteger("corral.probe.fuzz", 1500);
    static final long SEED = Long.getLong("corral.probe.seed", System.nanoTime());
    private static final Set<String> CLOSING = Set.of("FRAME_TOO_LARGE", "TRUNCATED_FRAME", "VERSION_MISMATCH");
    private static final List<String> OPS = List.of("ping", "daemon.status", "session.spawn", "session.list", "session.show",
            "session.kill", "session.remove", "session.wait", "session.send", "session.tail", "profile.list",
            "profile.show", "lease.list", "lease.show", "lease.release", "hello", "no.such.op", "");
    private static final List<String> ARGS = List.of("name", "command", "cwd", "env", "cols", "rows", "signal", "bytes",
            "all", "force", "text", "enter", "timeoutSeconds", "kind", "version", "agent", "path");
    private static final List<String> NAMES = List.of("f1", "f2", "f.3", "", "../x", "a".repeat(70));

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void fuzzedFramesAreEachAnsweredWithAStableCode() throws IOException {
        Sandbox sandbox = sandbox("fuzz");
        try (sandbox) {
            sandbox.startDaemon("--frame-timeout-ms", "300");
            Random random = new Random(SEED);
            Set<String> codes = new HashSet<>();
            for (ErrorCode code : ErrorCode.values()) {
                codes.add(code.name());
            }
            Map<String, Integer> outcomes = new TreeMap<>();
            List<String> malformed = new ArrayList<>();
            RawPeer peer = greeted(sandbox);
            try {
                for (int i = 0; i < FUZZ_CASES; i++) {
                    byte[] frame = fuzzCase(random);
                    String outcome;
                    if (frame == null) {
                        // A length prefix over the limit: refused, then closed.
                        peer.send(ByteBuffer.allocate(4).putInt(4 * 1024 * 1024 + 1 + random.nextInt(1000)).array());
                        outcome = code(peer.readFrame(), codes, malformed);
                    } else {
                        peer.sendFrame(frame);
                        outcome = code(peer.readFrame(), codes, malformed);
                    }
                    outcomes.merge(outcome, 1, Integer::sum);
                    if (CLOSING.contains(outcome)) {
                        assertTrue(peer.closedByDaemon(), outcome + " left the connection open");
                        peer.close();
                        peer = greeted(sandbox);
                    } else if (random.nextInt(50) == 0) {
                        peer.close();
                        peer = greeted(sandbox);
                    }
                }
            } finally {
                peer.close();
            }
            System.out.printf("probe fuzz: %d cases (seed %d): %s; malformed replies %d%n", FUZZ_CASES, SEED, outcomes,
                    malformed.size());
            assertEquals(List.of(), malformed, "seed " + SEED);
            assertEquals(null, outcomes.get("INTERNAL"), "INTERNAL answers (seed " + SEED + ")\n" + sandbox.logTail(30));
            assertTrue(RawPeer.answers(sandbox.socket()), "the daemon stopped serving");
        }
    }

    private static String code(Map<String, Object> frame, Set<String> codes, List<String> malformed) {
        boolean hasId = frame.containsKey("id");
        boolean ok = frame.containsKey("result");
        Object error = frame.get("error");
        if (!hasId || ok == (error != null) || frame.size() != 2) {
            malformed.add(frame.toString());
            return "malformed";
        }
        if (ok) {
            return "ok";
        }
        Object code = error instanceof Map<?, ?> map ? map.get("code") : null;
        Object message = error instanceof Map<?, ?> map ? map.get("message") : null;
        if (!(code instanceof String name) || !codes.contains(name) || !(message instanceof String)) {
            malformed.add(frame.toString());
            return "malformed";
        }
        return name;
    }

    /** One fuzzed payload, or null for an oversized length prefix. */
    private byte[] fuzzCase(Random random) {
        switch (random.nextInt(10)) {
            case 0: {
                byte[] junk = new byte[random.nextInt(64)];
                random.nextBytes(junk);
                return junk;
            }
            case 1:
                return Json.write(randomValue(random, 3));
            case 2: {
                byte[] request = Json.write(request(random));
                request[random.nextInt(request.length)] = (byte) random.nextInt(256);
                return request;
            }
            case 3:
                return ("[".repeat(2000 + random.nextInt(3000))).getBytes(StandardCharsets.US_ASCII);
            case 4: {
                Map<String, Object> request = new LinkedHashMap<>();
                request.put("id", randomValue(random, 1));
                request.put("op", random.nextBoolean() ? OPS.get(random.nextInt(OPS.size())) : randomValue(random, 1));
                if (random.nextBoolean()) {
                    request.put("args", randomValue(random, 2));
                }
                return Json.write(request);
            }
            case 5:
                return random.nextInt(20) == 0 ? null : Json.write(request(random));
            default:
                return Json.write(request(random));
        }
    }

    private Map<String, Object> request(Random random) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", random.nextInt(1_000_000));
        String op = OPS.get(random.nextInt(OPS.size()));
        request.put("op", op);
        Map<String, Object> args = new LinkedHashMap<>();
        for (int n = random.nextInt(5); n > 0; n--) {
            String key = ARGS.get(random.nextInt(ARGS.size()));
            args.put(key, argument(random, key));
        }
        if (op.equals("session.spawn")) {
            // Only harmless programs: a fuzzer must not run what it happens to spell.
            args.put("command", random.nextInt(4) == 0 ? randomValue(random, 1) : List.of("true"));
            args.put("cwd", random.nextInt(4) == 0 ? randomValue(random, 0) : dir.toString());
            args.remove("kind");
            args.remove("agent");
        }
        if (op.equals("hello")) {
            args.put("version", random.nextInt(3) == 0 ? randomValue(random, 0) : dev.corral.protocol.Protocol.VERSION);
        }
        if (op.equals("session.wait")) {
            args.put("timeoutSeconds", random.nextInt(2));
        }
        request.put("args", args);
        return request;
    }

    private static Object argument(Random random, String key) {
        if (random.nextInt(3) == 0) {
            return randomValue(random, 2);
        }
        return switch (key) {
            case "name" -> NAMES.get(random.nextInt(NAMES.size()));
            case "cols", "rows", "bytes" -> List.of(0, 1, -1, 1000, 1001, 65535, Integer.MAX_VALUE, Long.MAX_VALUE)
                    .get(random.nextInt(8));
            case "signal" -> List.of("TERM", "KILL", "0", "99", "SIGFOO", "-1").get(random.nextInt(6));
            case "all", "force", "enter" -> random.nextBoolean();
            default -> randomValue(random, 1);
        };
    }

    private static Object randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 9 : 7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextLong();
            case 3 -> random.nextDouble() * 1e300;
            case 4 -> "";
            case 5 -> "s\u0000\u00e9\ud83d\ude00".repeat(random.nextInt(4));
            case 6 -> "x".repeat(random.nextInt(20_000));
            case 7 -> {
                List<Object> list = new ArrayList<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    list.add(randomValue(random, depth - 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    map.put(ARGS.get(random.nextInt(ARGS.size())), randomValue(random, depth - 1));
                }
                yield map;
            }
        };
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void spawnRemoveCyclesKeepTheHeapFlat() throws Exception {
        try (Sandbox sandbox = sandbox("cycles").withEnv("CORRAL_DAEMON_JAVA_OPTS", "-Xmx48m")) {
            sandbox.startDaemon();
            SessionLeakTest.cycles(sandbox, 100);
            long before = SessionLeakTest.heapAfterGc(sandbox);
            int cycles = Integer.getInteger("corral.probe.cycles", 300);
            SessionLeakTest.cycles(sandbox, cycles);
            long after = SessionLeakTest.heapAfterGc(sandbox);
            System.out.printf("probe cycles: %d spawn/remove cycles; heap after GC %d KiB before, %d KiB after%n",
                    cycles, before, after);
            assertTrue(after < before + 6 * 1024, "heap grew from " + before + " to " + after + " KiB");
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void killNineDuringSpawnAndRemoveLosesNothingAndRevivesNothing() throws Exception {
        try (Sandbox sandbox = sandbox("crash")) {
            Map<String, Integer> counts = new TreeMap<>();
            Set<String> removed = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Set<String> removeSent = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Set<String> spawned = java.util.concurrent.ConcurrentHashMap.newKeySet();
            for (int round = 0; round < 3; round++) {
                sandbox.startDaemon();
                AtomicBoolean crashed = new AtomicBoolean();
                int base = round * 1000;
                Thread loop = new Thread(() -> {
                    try (RawPeer peer = greeted(sandbox)) {
                        for (int i = base; !crashed.get(); i++) {
                            String name = "c" + i;
                            if (peer.request("session.spawn", Map.of("name", name, "command", List.of("sleep", "60"),
                                    "cwd", dir.toString())).containsKey("result")) {
                                spawned.add(name);
                            }
                            if (i % 2 == 0 && removeSent.add(name) && peer.request("session.remove", Map.of("name", name, "force", true))
                                    .containsKey("result")) {
                                removed.add(name);
                            }
                        }
                    } catch (IOException | AssertionError e) {
                        // The daemon died under the loop: that is the point.
                    }
                }, "probe-loop");
                loop.start();
                int atLeast = 10 * (round + 1);
                Deadline.await(Duration.ofSeconds(60), () -> "a few spawns before the crash", () -> spawned.size() >= atLeast);
                sandbox.crashDaemon();
                crashed.set(true);
                loop.join(30_000);
                counts.merge("crashes", 1, Integer::sum);
            }
            sandbox.startDaemon();
            try (RawPeer peer = greeted(sandbox)) {
                List<?> sessions = (List<?>) SessionLeakTest.result(peer.request("session.list", Map.of("all", true)))
                        .get("sessions");
                for (Object object : sessions) {
                    Map<?, ?> session = (Map<?, ?>) object;
                    String name = (String) session.get("name");
                    counts.merge("listed " + session.get("state"), 1, Integer::sum);
                    assertTrue(!removed.contains(name), "session " + name + " was removed and came back");
                    assertTrue(spawned.contains(name) || name.startsWith("c"), "unknown session " + name);
                    if (session.get("pid") instanceof Number pid) {
                        ProcessHandle.of(pid.longValue()).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    assertTrue(peer.request("session.remove", Map.of("name", name, "force", true)).containsKey("result"));
                }
                // Every spawn that was answered, and never asked to be removed, is there again.
                long missing = spawned.stream().filter(n -> !removeSent.contains(n))
                        .filter(n -> sessions.stream().noneMatch(s -> n.equals(((Map<?, ?>) s).get("name")))).count();
                counts.put("spawned", spawned.size());
                counts.put("removed", removed.size());
                counts.put("missing after restart", (int) missing);
                System.out.println("probe kill -9: " + counts);
                assertEquals(0, missing, "sessions spawned and never removed are gone after the restarts: " + counts);
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aFullDiskUnderTheStateDirectoryNeverStopsTheDaemon() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            System.out.println("probe disk full: SKIPPED, not root (mounting a small tmpfs needs root)");
        }
        Assumptions.assumeTrue(root, "the disk-full probe mounts a tmpfs and needs root");
        Files.createDirectories(dir.resolve("full"));
        Sandbox sandbox = new Sandbox(dir.resolve("full"));
        // The whole state directory (records, journal, log) on a 4 MiB tmpfs.
        Path mount = sandbox.stateDir();
        Files.createDirectories(mount);
        Run.Result mounted = Run.command(Map.of(), Duration.ofSeconds(30),
                Run.argv("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", mount));
        if (mounted.exit() != 0) {
            System.out.println("probe disk full: SKIPPED, mount failed: " + mounted.err().trim());
        }
        Assumptions.assumeTrue(mounted.exit() == 0, "could not mount a tmpfs: " + mounted);
        try {
            try (sandbox) {
                sandbox.startDaemon();
                Path filler = mount.resolve("filler");
                Run.command(Map.of(), Duration.ofSeconds(30), Run.argv("dd", "if=/dev/zero", "of=" + filler, "bs=64k"));
                Map<String, Integer> outcomes = new TreeMap<>();
                try (RawPeer peer = greeted(sandbox)) {
                    for (int i = 0; i < 40; i++) {
                        String name = "d" + i;
                        Map<String, Object> spawn = peer.request("session.spawn",
                                Map.of("name", name, "command", List.of("sh", "-c", "echo full-" + i), "cwd", dir.toString()));
                        outcomes.merge("spawn " + outcome(spawn), 1, Integer::sum);
                        if (spawn.containsKey("result")) {
                            outcomes.merge("spawn warned", warned(spawn), Integer::sum);
                            outcomes.merge("wait " + outcome(peer.request("session.wait", Map.of("name", name))), 1, Integer::sum);
                            outcomes.merge("tail " + outcome(peer.request("session.tail", Map.of("name", name))), 1, Integer::sum);
                            Map<String, Object> removed = peer.request("session.remove", Map.of("name", name));
                            outcomes.merge("rm " + outcome(removed), 1, Integer::sum);
                            outcomes.merge("rm warned", warned(removed), Integer::sum);
                        }
                    }
                    Files.delete(filler);
                    Map<String, Object> after = peer.request("session.spawn",
                            Map.of("name", "after", "command", List.of("sleep", "30"), "cwd", dir.toString()));
                    assertTrue(after.containsKey("result"), "a spawn once there is room again: " + after);
                    Deadline.await(Duration.ofSeconds(10), () -> "the record of 'after' on the freed disk",
                            () -> Files.exists(mount.resolve("sessions").resolve("after.json")));
                    peer.request("session.remove", Map.of("name", "after", "force", true));
                }
                System.out.println("probe disk full: 40 spawn/wait/tail/rm rounds on a full 4 MiB tmpfs: " + outcomes);
                assertEquals(null, outcomes.get("spawn INTERNAL"), outcomes.toString());
                // A record the full disk would not take is said in the reply, never silently lost.
                assertTrue(outcomes.getOrDefault("spawn warned", 0) > 0, "no spawn on the full disk warned: " + outcomes);
                assertTrue(RawPeer.answers(sandbox.socket()), "the daemon stopped serving");
            }
        } finally {
            Run.command(Map.of(), Duration.ofSeconds(30), Run.argv("umount", "-l", mount));
        }
    }

    /**
     * Links planted in every place corral owns files, each to a victim file outside: a workspace's
     * {@code .corral/} (the folder, {@code sessions/} and each file), the state directory's folders,
     * the files beside the socket. Each plant is refused or replaced; no victim is read into a
     * workspace, written or deleted.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void linksPlantedWhereCorralKeepsFilesAreNeverFollowed() throws Exception {
        Path victims = Files.createDirectories(dir.resolve("victims"));
        Map<String, Integer> counts = new TreeMap<>();
        List<String> followed = new ArrayList<>();
        try (Sandbox sandbox = sandbox("plants")) {
            sandbox.startDaemon();
            List<String> metadata = List.of("", "sessions", "lease.json", "lock", "sessions.log", "last-session.json", ".gitignore");
            for (String planted : metadata) {
                String label = planted.isEmpty() ? ".corral" : ".corral/" + planted;
                Path victim = Files.writeString(victims.resolve("ws-" + label.replace('/', '_')), "victim of " + label + "\n");
                Path victimDir = Files.createDirectories(victims.resolve("dir-" + label.replace('/', '_')));
                Path ws = Files.createDirectories(dir.resolve("plants-ws").resolve(label.replace('/', '_'))).toRealPath();
                Path link = ws.resolve(label);
                Files.createDirectories(link.getParent());
                boolean folder = planted.isEmpty() || planted.equals("sessions");
                Files.createSymbolicLink(link, folder ? victimDir : victim);
                String name = "plant-" + counts.size();
                Run.Result spawned = sandbox.corral("spawn", "--name", name, "--workspace", ws, "--", "sh", "-c", "echo x > f; exit 0");
                counts.merge(spawned.exit() == 0 ? "spawned" : spawned.err().contains("[UNSAFE_PATH]") ? "refused UNSAFE_PATH"
                        : "refused otherwise", 1, Integer::sum);
                if (spawned.exit() == 0) {
                    sandbox.corral("wait", name, "--timeout", "30");
                    sandbox.corral("rm", "--force", name);
                }
                if (!Files.isSymbolicLink(link) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    counts.merge("link removed", 1, Integer::sum);
                }
                if (!Files.readString(victim).equals("victim of " + label + "\n")) {
                    followed.add(label + " wrote " + victim);
                }
                try (var inside = Files.list(victimDir)) {
                    if (inside.findAny().isPresent()) {
                        followed.add(label + " wrote into " + victimDir);
                    }
                }
                try (var files = Files.walk(ws)) {
                    for (Path file : files.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                        if (Files.readString(file).contains("victim of")) {
                            followed.add(label + " read the victim into " + file);
                        }
                    }
                }
                counts.merge("plants", 1, Integer::sum);
            }
        }
        // The state directory's folders, each a link at start.
        for (String folder : List.of("sessions", "events", "log", "agents", "tmux")) {
            Path home = Files.createDirectories(dir.resolve("plants-state-" + folder));
            Path victimDir = Files.createDirectories(victims.resolve("state-" + folder));
            try (Sandbox own = new Sandbox(home)) {
                Files.createDirectories(own.stateDir());
                Files.createSymbolicLink(own.stateDir().resolve(folder), victimDir);
                Process daemon = own.launchDaemon();
                boolean ended = daemon.waitFor(60, TimeUnit.SECONDS);
                counts.merge(ended && daemon.exitValue() == 1 && own.output(daemon).contains("[UNSAFE_PATH]")
                        ? "state folder refused" : "state folder accepted", 1, Integer::sum);
                if (!ended) {
                    daemon.destroyForcibly();
                }
                try (var inside = Files.list(victimDir)) {
                    if (inside.findAny().isPresent()) {
                        followed.add("STATE/" + folder + " wrote into " + victimDir);
                    }
                }
            }
            counts.merge("plants", 1, Integer::sum);
        }
        System.out.println("probe symlink plants: " + counts + "; followed " + followed.size() + " " + followed);
        assertEquals(List.of(), followed);
        assertEquals(null, counts.get("state folder accepted"), counts.toString());
        assertEquals(null, counts.get("refused otherwise"), counts.toString());
    }

    private static int warned(Map<String, Object> frame) {
        return frame.get("result") instanceof Map<?, ?> result && result.get("warnings") instanceof List<?> warnings
                && !warnings.isEmpty() ? 1 : 0;
    }

    private static final int NOBODY = 65534;
    private static final String FOREIGN = String.join("\n",
            "import socket, struct, sys, json",
            "codes = {}",
            "for i in range(int(sys.argv[2])):",
            "    s = socket.socket(socket.AF_UNIX)",
            "    s.connect(sys.argv[1])",
            "    body = json.dumps({'id': 1, 'op': 'hello', 'args': {'version': 3}}).encode()",
            "    try:",
            "        s.sendall(struct.pack('>I', len(body)) + body)",
            "    except OSError:",
            "        pass",
            "    head = s.recv(4, socket.MSG_WAITALL)",
            "    code = json.loads(s.recv(struct.unpack('>I', head)[0], socket.MSG_WAITALL))['error']['code']",
            "    codes[code] = codes.get(code, 0) + 1",
            "    s.close()",
            "print(json.dumps(codes, sort_keys=True))",
            "");

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSecondUidIsRefusedEveryTime() throws IOException {
        try (Sandbox sandbox = sandbox("uid")) {
            sandbox.startDaemon();
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(sandbox.dir(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(sandbox.socket().getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(sandbox.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            Path script = sandbox.dir().resolve("foreign.py");
            Files.writeString(script, FOREIGN);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
            Run.Result result = Run.command(Map.of(), Duration.ofSeconds(30), Run.argv("setpriv",
                    "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "/usr/bin/python3", script,
                    sandbox.socket(), 30));
            System.out.println("probe second uid: 30 connections as uid " + NOBODY + " answered " + result.out().trim());
            assertEquals(0, result.exit(), result.toString());
            assertEquals("{\"PEER_REFUSED\": 30}", result.out().trim());
            assertTrue(RawPeer.answers(sandbox.socket()), "the daemon's own user is still served");
        }
    }

    private Sandbox sandbox(String name) throws IOException {
        Files.createDirectories(dir.resolve(name));
        return new Sandbox(dir.resolve(name));
    }

    private static RawPeer greeted(Sandbox sandbox) throws IOException {
        RawPeer peer = RawPeer.connect(sandbox.socket());
        Map<String, Object> hello = peer.hello();
        if (!hello.containsKey("result")) {
            peer.close();
            throw new AssertionError("hello refused: " + hello);
        }
        return peer;
    }

    private static String outcome(Map<String, Object> frame) {
        return frame.containsKey("result") ? "ok" : (String) ((Map<?, ?>) frame.get("error")).get("code");
    }
}
