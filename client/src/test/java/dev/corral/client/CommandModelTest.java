package dev.corral.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.protocol.Json;
import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The model bin/corral parses with is the annotations' own, and binds what they would bind. */
class CommandModelTest {
    @Test
    void theModelInTheBuildIsTheOneTheAnnotationsDescribe() {
        assertNotNull(CommandModel.load(), "the build writes " + CommandModel.RESOURCE + " beside the classes");
        assertEquals(Json.writeString(CommandModel.describeAll()), Json.writeString(CommandModel.load()),
                "the command model (commands/*.model) is stale: rebuild (mvn package runs CommandModel)");
    }

    @Test
    void theHotCommandsAreInTheModel() {
        for (String name : List.of("ping", "ls", "spawn", "attach", "show", "send", "tail", "wait", "kill", "rm")) {
            assertNotNull(CommandModel.commandLine(new Corral(), name), name);
        }
        assertNull(CommandModel.commandLine(new Corral(), "no-such-command"));
    }

    @Test
    void bothModelsBindTheSameValues() throws Exception {
        String[][] lines = {
            {"--json", "spawn", "--name", "b", "--env", "A=1", "--env", "B=2", "--size", "100x30", "--cwd", "/tmp", "--", "make", "-j", "4"},
            {"spawn", "--socket", "/x.sock", "--kind", "tmux", "--force", "--workspace", "w", "--issue", "7"},
            {"spawn"},
            {"ls", "--all", "--json"},
            {"attach", "web", "--read-only", "--no-replay"},
            {"attach", "web"},
            {"send", "web", "--no-enter", "make", "test"},
            {"tail", "web", "--bytes", "10"},
            {"wait", "web", "--timeout", "5"},
            {"kill", "web"},
            {"rm", "--force", "web"},
            {"--socket=/y.sock", "ping"},
            {"spawn", "--kind", "container", "--workspace", "w", "--memory", "4g", "--size", "120x40"},
        };
        for (String[] line : lines) {
            Object fast = leaf(CommandModel.commandLine(new Corral(), Corral.subcommandNamed(line)), line);
            Object annotated = leaf(Corral.annotated(line), line);
            assertEquals(fields(annotated), fields(fast), String.join(" ", line));
        }
    }

    @Test
    void helpGoesThroughTheAnnotatedModel() {
        // The annotated model carries the descriptions; the one built from the model files has none.
        String help = Corral.commandLine(new String[] {"spawn", "--help"}).getSubcommands().get("spawn").getUsageMessage();
        assertTrue(help.contains("Start a command in a new session"), help);
    }

    private static Object leaf(CommandLine commandLine, String[] line) {
        List<CommandLine> parsed = commandLine.parseArgs(line).asCommandLineList();
        return parsed.get(parsed.size() - 1).getCommandSpec().userObject();
    }

    /** The command's option and parameter fields, and its root's, as text. */
    private static String fields(Object command) throws IllegalAccessException {
        StringBuilder text = new StringBuilder(command.getClass().getName());
        for (Class<?> c = command.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.isSynthetic() || java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                Object value = field.get(command);
                if (value instanceof Corral root) {
                    value = "corral(socket=" + root.socket + ", json=" + root.json + ")";
                } else if (value != null && (value.getClass() == Object.class || value.getClass().getName().startsWith("dev.corral"))) {
                    value = value.getClass().getName();
                }
                text.append(' ').append(field.getName()).append('=').append(value);
            }
        }
        return text.toString();
    }
}
