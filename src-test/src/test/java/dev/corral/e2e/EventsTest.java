package dev.corral.e2e;

import static dev.corral.e2e.support.EventWatcher.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.EventWatcher;
import dev.corral.e2e.support.RawPeer;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code corral events} against a real daemon: order and seq, channels, a subscriber that stops
 * reading beside one that keeps up, resuming across a daemon restart, and agent status driven by
 * what a scripted program writes.
 */
class EventsTest {
    private static final Duration LIMIT = Deadline.LIMIT;

    @TempDir
    Path dir;
    Sandbox sandbox;
    private final List<EventWatcher> watchers = new ArrayList<>();

    @AfterEach
    void stop() {
        watchers.forEach(EventWatcher::close);
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private void startDaemon(String... flags) throws IOException {
        sandbox = new Sandbox(dir);
        sandbox.startDaemon(flags);
    }

    private EventWatcher watch(Object... args) throws IOException {
        EventWatcher watcher = EventWatcher.start(sandbox, args);
        watchers.add(watcher);
        return watcher;
    }

    private Map<String, Object> eventStatus() {
        return sandbox.eventStatus();
    }

    private void awaitSubscribers(int count) {
        Deadline.await(LIMIT, () -> count + " subscribers; the daemon reports " + eventStatus(),
                () -> ((Number) eventStatus().get("subscribers")).intValue() == count);
    }

    /** A client attaches to the session and goes again: one attached and one detached event. */
    private void attachAndLeave(String session) throws IOException {
        try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
            peer.hello();
            Map<String, Object> answer = peer.request("session.attach", Map.of("name", session, "readOnly", true, "noReplay", true));
            assertTrue(answer.containsKey("result"), answer.toString());
        }
    }

    private static long number(Map<String, Object> event, String field) {
        return ((Number) event.get(field)).longValue();
    }

    private static List<String> types(List<Map<String, Object>> events, String channel) {
        return events.stream().filter(e -> channel.equals(e.get("channel"))).map(e -> (String) e.get("type")).toList();
    }

    /** seq counts from 1 without holes; ids only grow. */
    private static void assertSequenced(List<Map<String, Object>> events) {
        long previousId = 0;
        for (int i = 0; i < events.size(); i++) {
            Map<String, Object> event = events.get(i);
            assertEquals(i + 1L, number(event, "seq"), "seq of " + event);
            if (!"gap".equals(event.get("type"))) {
                assertTrue(number(event, "id") > previousId, "ids only grow: " + event + " after id " + previousId);
                previousId = number(event, "id");
            }
        }
    }

    @Test
    void eventsArriveInOrderWithSeqIdTimeAndWhatHappened() throws IOException {
        startDaemon();
        EventWatcher json = watch("--json", "events");
        EventWatcher human = watch("events");
        awaitSubscribers(2);

        sandbox.ok("spawn", "--name", "one", "--", "sh", "-c", "echo hello; read line; exit 3");
        json.await("session.spawned", "one");
        attachAndLeave("one");
        json.await("session.detached", "one");
        sandbox.ok("send", "one", "bye");
        assertEquals(3, sandbox.corral("wait", "one").exit());
        sandbox.ok("rm", "one");
        json.await("session.removed", "one");

        List<Map<String, Object>> events = json.events();
        assertSequenced(events);
        for (int i = 0; i < events.size(); i++) {
            Map<String, Object> event = events.get(i);
            assertEquals(i + 1L, number(event, "id"), "a new daemon's first subscriber sees ids from 1: " + event);
            assertNotNull(Instant.parse((String) event.get("time")));
            assertEquals("one", data(event).get("session"), event.toString());
        }
        assertEquals(List.of("session.spawned", "session.started", "session.attached", "session.detached", "session.exited",
                "session.removed"), types(events, "sessions"));
        assertNull(data(json.await("session.spawned", "one")).get("pid"), "announced before its program starts: no pid yet");
        assertTrue(data(json.await("session.started", "one")).get("pid") instanceof Number, "the started event has the pid");
        Map<String, Object> exited = json.await("session.exited", "one");
        assertEquals(3L, data(exited).get("exitCode"));
        Map<String, Object> spawned = json.await("session.spawned", "one");
        assertEquals(List.of("sh", "-c", "echo hello; read line; exit 3"), data(spawned).get("command"));
        assertEquals(true, data(json.await("session.attached", "one")).get("readOnly"));
        assertEquals("active", data(events.get(1)).get("status"), "status follows the spawn: " + events.get(1));

        String line = human.awaitLine("session.exited");
        assertTrue(line.matches("\\S+Z  #\\d+  session\\.exited  session=one  exitCode=3"), line);
    }

    @Test
    void channelsFilterWhatASubscriberGets() throws IOException {
        startDaemon();
        EventWatcher agents = watch("--json", "events", "--channel", "agents");
        EventWatcher both = watch("--json", "events", "--channel", "sessions", "--channel", "agents");
        EventWatcher leases = watch("--json", "events", "--channel", "leases");
        awaitSubscribers(3);

        sandbox.ok("spawn", "--name", "brief", "--", "true");
        both.await("brief's status exited", e -> "exited".equals(data(e).get("status")) && "brief".equals(data(e).get("session")));
        agents.await("brief's status exited", e -> "exited".equals(data(e).get("status")));

        // A program that ends at once may end before its start is heard: then there is no session.started.
        assertEquals(List.of("session.spawned", "agent.status", "session.exited", "agent.status"),
                both.events().stream().map(e -> (String) e.get("type")).filter(t -> !t.equals("session.started")).toList());
        assertSequenced(both.events());
        List<Map<String, Object>> agentEvents = agents.events();
        assertEquals(List.of("agent.status", "agent.status"), agentEvents.stream().map(e -> (String) e.get("type")).toList());
        assertEquals(List.of("active", "exited"), agentEvents.stream().map(e -> data(e).get("status")).toList());
        assertSequenced(agentEvents);
        assertEquals(1L, number(agentEvents.get(0), "seq"), "seq counts this subscriber's own events");
        assertTrue(number(agentEvents.get(1), "id") - number(agentEvents.get(0), "id") > 1,
                "ids are global: the session events between them are someone else's");
        assertEquals(List.of(), leases.lines(), "nothing happened on the leases channel");

        Run.Result unknown = sandbox.corral("events", "--channel", "weather");
        assertEquals(2, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("sessions, agents, leases, containers"), unknown.toString());
    }

    @Test
    void aSubscriberThatStopsReadingGetsAGapWhileAnotherKeepsUp() throws IOException {
        startDaemon("--subscriber-queue", "32");
        EventWatcher keeper = watch("--json", "events", "--channel", "sessions");
        EventWatcher laggard = watch("--json", "events", "--channel", "sessions");
        awaitSubscribers(2);
        sandbox.ok("spawn", "--name", "target", "--", "sleep", "600");
        laggard.await("session.spawned", "target");

        Run.Result stop = Run.command(Map.of(), LIMIT, Run.argv("kill", "-STOP", laggard.pid()));
        assertEquals(0, stop.exit(), stop.toString());
        try {
            // Clients come and go (an attached and a detached event each) in batches that the
            // keeper takes before the next, until the daemon has dropped events for the stopped
            // subscriber; then two batches more.
            long clients = 0;
            int batchesAfterDrops = 0;
            long end = System.nanoTime() + LIMIT.toNanos();
            while (batchesAfterDrops < 2) {
                assertTrue(System.nanoTime() < end, "the daemon never dropped an event for the stopped subscriber: " + eventStatus());
                for (int i = 0; i < 25; i++) {
                    attachAndLeave("target");
                }
                clients += 25;
                keeper.awaitCount("clients gone", e -> "session.detached".equals(e.get("type")), clients);
                if (batchesAfterDrops > 0 || ((Number) eventStatus().get("dropped")).longValue() > 0) {
                    batchesAfterDrops++;
                }
            }
        } finally {
            Run.command(Map.of(), LIMIT, Run.argv("kill", "-CONT", laggard.pid()));
        }
        sandbox.ok("spawn", "--name", "last", "--", "true");
        // Its exit is the last event of the test: both have everything once both have seen it.
        keeper.await("session.exited", "last");
        laggard.await("session.exited", "last");
        List<Map<String, Object>> kept = keeper.events();

        assertSequenced(kept);
        assertTrue(kept.stream().noneMatch(e -> "gap".equals(e.get("type"))), "the keeper missed nothing");
        List<Map<String, Object>> lagged = laggard.events();
        assertSequenced(lagged);
        long delivered = 0;
        long dropped = 0;
        List<Long> keptIds = kept.stream().map(e -> number(e, "id")).toList();
        for (Map<String, Object> event : lagged) {
            if ("gap".equals(event.get("type"))) {
                assertEquals("slow", data(event).get("reason"), event.toString());
                assertEquals(null, event.get("id"), "a gap is the subscriber's own, not an event of the daemon");
                dropped += ((Number) data(event).get("dropped")).longValue();
                assertTrue(keptIds.contains(((Number) data(event).get("fromId")).longValue()), event.toString());
            } else {
                delivered++;
                assertTrue(keptIds.contains(number(event, "id")), event.toString());
            }
        }
        assertTrue(dropped > 0, "the stopped subscriber was told it missed events");
        assertEquals(kept.size(), delivered + dropped, "every event reached the laggard or was counted in a gap");
    }

    @Test
    void sinceResumesAcrossADaemonRestartWithNoHoleAndNoRepeat() throws IOException {
        startDaemon();
        EventWatcher before = watch("--json", "events");
        awaitSubscribers(1);
        sandbox.ok("spawn", "--name", "first", "--", "true");
        Map<String, Object> seen = before.await("first's status exited",
                e -> "first".equals(data(e).get("session")) && "exited".equals(data(e).get("status")));
        long lastSeen = number(seen, "id");

        // Missed by everyone: a session starts, then the daemon dies mid-write (a torn line).
        sandbox.ok("spawn", "--name", "second", "--", "sleep", "600");
        Deadline.await(LIMIT, () -> "second's events in the journal", () -> ((Number) eventStatus().get("lastId")).longValue() >= lastSeen + 3);
        sandbox.crashDaemon();
        assertEquals(5, before.awaitExit(), "a subscriber whose daemon goes away exits 5");
        assertTrue(before.stderr().contains("ended the event stream"), before.stderr());
        Path segment;
        try (Stream<Path> files = Files.list(sandbox.stateDir().resolve("events"))) {
            segment = files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        Files.writeString(segment, "{\"id\":" + (lastSeen + 4) + ",\"channel\":\"sess", StandardOpenOption.APPEND);

        sandbox.startDaemon();
        EventWatcher after = watch("--json", "events", "--since", lastSeen);
        after.await("session.lost", "second");
        sandbox.ok("spawn", "--name", "third", "--", "true");
        after.await("third's status exited", e -> "third".equals(data(e).get("session")) && "exited".equals(data(e).get("status")));

        List<Map<String, Object>> events = after.events();
        assertSequenced(events);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(lastSeen + 1 + i, number(events.get(i), "id"), "every id after the one seen, once: " + events);
        }
        assertEquals(List.of("session.spawned second", "agent.status second", "session.started second", "session.lost second",
                        "agent.status second", "session.spawned third", "agent.status third", "session.exited third", "agent.status third"),
                events.stream().map(e -> e.get("type") + " " + data(e).get("session"))
                        .filter(t -> !t.equals("session.started third")).toList());
        String log = Files.readString(sandbox.log());
        assertTrue(log.contains("torn line"), "the cut-off line is in the daemon's log");
    }

    @Test
    void agentStatusFollowsTheProgramsOutputAndShowAgrees() throws IOException {
        startDaemon("--idle-seconds", "1");
        EventWatcher agents = watch("--json", "events", "--channel", "agents");
        awaitSubscribers(1);
        sandbox.ok("spawn", "--name", "agent", "--", "sh", "-c", "read a; echo got-$a; read b; exit 4");

        // Silent until it is typed to: active from its start, idle a second later. Under load a
        // pause over the idle time may add an idle anywhere, so the test waits for each change it
        // causes (after the events seen so far) instead of counting events.
        int seen = awaitStatusAfter(agents, 0, "idle");
        assertEquals("idle", sandbox.show("agent").get("status"), "show agrees with the last event");
        sandbox.ok("send", "agent", "one");
        seen = awaitStatusAfter(agents, seen, "active");
        seen = awaitStatusAfter(agents, seen, "idle");
        assertEquals("idle", sandbox.show("agent").get("status"));
        sandbox.ok("send", "agent", "two");
        seen = awaitStatusAfter(agents, seen, "active");
        awaitStatusAfter(agents, seen, "exited");

        List<Object> statuses = agents.events().stream().map(e -> data(e).get("status")).toList();
        assertEquals("active", statuses.get(0), "a session starts active: " + statuses);
        assertEquals("exited", statuses.get(statuses.size() - 1), "the last status is exited: " + statuses);
        for (int i = 1; i < statuses.size(); i++) {
            assertNotEquals(statuses.get(i - 1), statuses.get(i), "an event is a change of status: " + statuses);
        }
        List<Object> previous = new ArrayList<>();
        previous.add(null);
        previous.addAll(statuses.subList(0, statuses.size() - 1));
        assertEquals(previous, agents.events().stream().map(e -> data(e).get("previous")).toList(), "each change names the one before");
        assertEquals("exited", sandbox.show("agent").get("status"));
        assertEquals(4L, sandbox.show("agent").get("exitCode"));
    }

    /** Waits for an event of {@code status} after the first {@code after} events; answers how many there are up to it. */
    private int awaitStatusAfter(EventWatcher watcher, int after, String status) {
        int[] at = {-1};
        Deadline.await(EventWatcher.DEADLINE, () -> "a '" + status + "' status after event " + after + ": " + watcher.events()
                + sandbox.logTail(20), () -> {
                    List<Map<String, Object>> events = watcher.events();
                    for (int i = after; i < events.size(); i++) {
                        if (status.equals(data(events.get(i)).get("status"))) {
                            at[0] = i + 1;
                            return true;
                        }
                    }
                    return false;
                });
        return at[0];
    }
}
