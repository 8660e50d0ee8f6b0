package dev.corral.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker's JSON event lines as corral's container events (the real stream is covered end to end in ContainerTest). */
class ContainerEventsTest {
    private final List<String> types = new ArrayList<>();
    private final List<Map<String, Object>> data = new ArrayList<>();
    private final ContainerEvents events = new ContainerEvents(null, "owner1", (type, d) -> {
        types.add(type);
        data.add(d);
    }, () -> true);

    private static String line(String action, long nanos, String extra) {
        return "{\"Type\":\"container\",\"Action\":\"" + action + "\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":{"
                + "\"name\":\"corral-w-1\",\"image\":\"img\",\"dev.corral.session\":\"w\",\"dev.corral.session-id\":\"1\"" + extra
                + "}},\"time\":1,\"timeNano\":" + nanos + "}";
    }

    @Test
    void aLifeFromCreateToDestroyWithTheOutOfMemoryDeathTold() {
        events.accept(line("create", 10, ""));
        events.accept(line("start", 11, ""));
        events.accept(line("oom", 12, ""));
        events.accept(line("die", 13, ",\"exitCode\":\"137\""));
        events.accept(line("health_status: healthy", 14, ""));
        events.accept(line("destroy", 15, ""));
        assertEquals(List.of("container.created", "container.started", "container.died", "container.health",
                "container.removed"), types);
        assertEquals(137, data.get(2).get("exitCode"));
        assertEquals(true, data.get(2).get("oomKilled"));
        assertEquals("healthy", data.get(3).get("health"));
        assertEquals("w", data.get(0).get("session"));
        assertEquals("corral-w-1", data.get(0).get("container"));
    }

    @Test
    void aRestartedStreamRepeatsNothingAndNoiseIsIgnored() {
        events.accept(line("start", 20, ""));
        events.accept(line("start", 20, ""));
        events.accept("not json");
        events.accept("{\"Type\":\"network\",\"Action\":\"connect\",\"timeNano\":30}");
        events.accept(line("die", 21, ",\"exitCode\":\"0\""));
        assertEquals(List.of("container.started", "container.died"), types);
        assertEquals(false, data.get(1).get("oomKilled"));
    }

    @Test
    void theStreamAsksForThisOwnersContainersOnlyAndResumes() {
        List<String> args = ContainerEvents.arguments("owner1", 5_000_000_000L);
        assertTrue(args.containsAll(List.of("events", "label=dev.corral.owner=owner1", "{{json .}}", "--since", "5")), args.toString());
    }
}
