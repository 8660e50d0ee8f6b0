package dev.corral.daemon.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session records read back as their record, strictly: one of another shape is set aside, never half-used. */
class SessionStoreTest {
    private static final String RECORD = """
            {"name":"%s","id":"0b1c2d3e","kind":"%s","command":["sleep","600"],"cwd":"/tmp","workspace":null,
             "cols":%s,"rows":24,%s"createdAt":"2026-12-02T01:00:00Z","agent":null,"state":"RUNNING","exitCode":null,
             "pid":4242,"endedAt":null}
            """;

    @TempDir
    Path dir;

    private void write(String name, String kind, String cols, String container) throws IOException {
        Files.writeString(dir.resolve(name + ".json"), RECORD.formatted(name, kind, cols, container));
    }

    @Test
    void aRecordOfItsShapeIsReadAndOneOfAnotherIsSetAside() throws IOException {
        write("good", "tmux", "100", "");
        write("boxed", "container", "80", "\"container\":{\"image\":\"busybox\",\"memory\":\"512m\",\"issue\":7},");
        write("coerced", "pty", "\"80\"", "");
        write("extra", "pty", "80", "\"colour\":\"red\",");
        write("imageless", "container", "80", "");
        List<SessionStore.Entry> entries = new SessionStore(dir, new ObjectMapper()).load();

        assertEquals(List.of("boxed", "good"), entries.stream().map(e -> e.spec().name()).sorted().toList());
        SessionStore.Entry good = entries.stream().filter(e -> e.spec().name().equals("good")).findFirst().orElseThrow();
        assertEquals(SessionSpec.Kind.TMUX, good.spec().kind());
        assertEquals(100, good.spec().cols());
        assertEquals(List.of("sleep", "600"), good.spec().command());
        assertEquals(4242L, good.pid());
        SessionStore.Entry boxed = entries.stream().filter(e -> e.spec().name().equals("boxed")).findFirst().orElseThrow();
        assertEquals(new SessionSpec.Container("busybox", "512m", 7), boxed.spec().container());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            for (String aside : List.of("coerced", "extra", "imageless")) {
                assertFalse(names.contains(aside + ".json"), names.toString());
                assertTrue(names.stream().anyMatch(n -> n.startsWith(aside + ".json.corrupt-")), names.toString());
            }
        }
    }
}
