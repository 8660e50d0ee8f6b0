package dev.corral.daemon.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Refusal;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Events;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.AttachArgs;
import dev.corral.protocol.args.BuildImageArgs;
import dev.corral.protocol.args.HelloArgs;
import dev.corral.protocol.args.KillArgs;
import dev.corral.protocol.args.NoArgs;
import dev.corral.protocol.args.RemoveArgs;
import dev.corral.protocol.args.Requests;
import dev.corral.protocol.args.Required;
import dev.corral.protocol.args.SnapshotArgs;
import dev.corral.protocol.args.SpawnArgs;
import dev.corral.protocol.args.SubscribeArgs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Binding a request's args to its record: what is refused, with which words, and the defaults. */
class ArgumentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static <A> A bind(String json, Class<A> type) throws Exception {
        return Arguments.bind("op", JSON.readTree(json), type);
    }

    /** The BAD_REQUEST message for {@code json} bound as {@code type}. */
    private static String refusal(String json, Class<?> type) throws Exception {
        JsonNode args = JSON.readTree(json);
        Refusal refused = assertThrows(Refusal.class, () -> Arguments.bind("op", args, type), json);
        assertEquals(ErrorCode.BAD_REQUEST, refused.code(), refused.getMessage());
        return refused.getMessage();
    }

    @Test
    void aBooleanGivenAsAStringIsRefusedNamingTheField() throws Exception {
        String message = refusal("{\"name\": \"a\", \"force\": \"yes\"}", RemoveArgs.class);
        assertEquals("args.force must be a boolean (true or false), not a string (\"yes\")", message);
        assertTrue(refusal("{\"name\": \"a\", \"force\": 1}", RemoveArgs.class).startsWith("args.force must be a boolean"));
    }

    @Test
    void noScalarIsCoerced() throws Exception {
        assertTrue(refusal("{\"name\": 5}", KillArgs.class).startsWith("args.name must be a string, not a number (5)"));
        assertTrue(refusal("{\"name\": true}", KillArgs.class).startsWith("args.name must be a string"));
        assertTrue(refusal("{\"name\": \"a\", \"cols\": \"80\"}", AttachArgs.class).startsWith("args.cols must be a whole number"));
        assertTrue(refusal("{\"name\": \"a\", \"cols\": 80.0}", AttachArgs.class).startsWith("args.cols must be a whole number"));
        assertTrue(refusal("{\"command\": \"sh\"}", SpawnArgs.class).startsWith("args.command must be an array"));
        assertTrue(refusal("{\"command\": [\"sh\", 1]}", SpawnArgs.class).startsWith("args.command[1] must be a string"));
        assertTrue(refusal("{\"env\": {\"HOME\": 1}}", SpawnArgs.class).startsWith("args.env.HOME must be a string"));
        assertTrue(refusal("{\"command\": [null]}", SpawnArgs.class).contains("args.command[0]"));
        assertTrue(refusal("{\"cols\": 99999999999}", SpawnArgs.class).contains("args.cols"));
    }

    @Test
    void anUnknownFieldIsRefusedNamingItAndWhatTheOperationTakes() throws Exception {
        assertEquals("args.forse is not an argument of 'op' (it takes force, name)",
                refusal("{\"name\": \"a\", \"forse\": true}", RemoveArgs.class));
        assertEquals("args.x is not an argument of 'op' (it takes none)", refusal("{\"x\": 1}", NoArgs.class));
    }

    @Test
    void aMissingOrNullRequiredFieldIsRefusedNamingIt() throws Exception {
        assertEquals("'op' needs args.name", refusal("{}", KillArgs.class));
        assertEquals("'op' needs args.name", refusal("{\"signal\": \"INT\"}", KillArgs.class));
        assertEquals("args.name must not be null", refusal("{\"name\": null}", KillArgs.class));
    }

    @Test
    void aValueItsRecordRefusesNamesTheField() throws Exception {
        assertEquals("args.cols must be a whole number from 1 to 1000", refusal("{\"cols\": 0}", SpawnArgs.class));
        assertTrue(refusal("{\"kind\": \"vm\"}", SpawnArgs.class).contains("unknown session kind 'vm'"));
        assertTrue(refusal("{\"env\": {\"A=B\": \"c\"}}", SpawnArgs.class).startsWith("args.env must map names"));
        assertTrue(refusal("{\"promptFile\": \"relative.md\"}", SpawnArgs.class).startsWith("args.promptFile must be an absolute path"));
        assertTrue(refusal("{\"name\": \"a\", \"tag\": \".hidden\"}", SnapshotArgs.class).startsWith("args.tag '.hidden' is not a tag"));
        assertTrue(refusal("{\"tag\": \"-x\"}", BuildImageArgs.class).startsWith("args.tag '-x' is not a tag"));
        assertTrue(refusal("{\"channels\": []}", SubscribeArgs.class).startsWith("args.channels must be a non-empty array"));
        assertTrue(refusal("{\"since\": -1}", SubscribeArgs.class).startsWith("args.since must be an event id"));
    }

    @Test
    void absentAndNullOptionalFieldsTakeTheirDefaults() throws Exception {
        assertEquals(new KillArgs("a", "TERM"), bind("{\"name\": \"a\", \"signal\": null}", KillArgs.class));
        assertEquals(new RemoveArgs("a", false), bind("{\"name\": \"a\", \"force\": null}", RemoveArgs.class));
        SpawnArgs spawn = bind("{\"command\": [\"sh\"]}", SpawnArgs.class);
        assertEquals(List.of("sh"), spawn.command());
        assertEquals(Map.of(), spawn.env());
        assertEquals(80, spawn.cols());
        assertEquals(24, spawn.rows());
        assertEquals(Events.CHANNELS, bind("{}", SubscribeArgs.class).channels());
    }

    /** A newer client's hello must still reach the version check, to be told VERSION_MISMATCH. */
    @Test
    void helloIgnoresFieldsItDoesNotKnowButNeedsTheVersion() throws Exception {
        assertEquals(new HelloArgs(9, "corral 9"), bind("{\"version\": 9, \"client\": \"corral 9\", \"features\": []}",
                HelloArgs.class));
        assertEquals("'op' needs args.version", refusal("{\"client\": \"x\"}", HelloArgs.class));
        assertTrue(refusal("{\"version\": \"3\"}", HelloArgs.class).startsWith("args.version must be a whole number"));
    }

    @Test
    void everyOperationOfTheTableHasARecordThatBindsNoArguments() throws Exception {
        for (var entry : Requests.all().entrySet()) {
            Class<? extends Record> type = entry.getValue();
            boolean required = java.util.Arrays.stream(type.getRecordComponents())
                    .anyMatch(component -> component.getAccessor().isAnnotationPresent(Required.class));
            if (!required) {
                assertEquals(type, Arguments.bind(entry.getKey(), JSON.readTree("{}"), type).getClass(), entry.getKey());
            } else {
                refusal("{}", type);
            }
        }
        assertEquals(SpawnArgs.class, Requests.argsOf(Op.SPAWN));
    }
}
