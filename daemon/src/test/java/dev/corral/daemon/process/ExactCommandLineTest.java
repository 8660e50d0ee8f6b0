package dev.corral.daemon.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Arguments and environment values reach a real program byte for byte: {@code printf '%s\0'}
 * echoes each argument NUL-terminated, so a trimmed, split, quoted or re-parsed argument shows.
 */
@Timeout(30)
class ExactCommandLineTest {
    /** The hard cases: whitespace only, padded, empty, line ends, quotes, shell metacharacters. */
    private static final List<String> AWKWARD = List.of(
            "\r", "\n", "\r\n", "  x  ", "", " ", "\t", "a\nb", "' two '", "\" two \"",
            "$(touch /tmp/corral-pwned)", "`id`", "; rm -rf /", "a|b", "*", "~", "$HOME", "\\", "\\\\x",
            "\u001b[A", "\u0003", "-", "--", "ünï cödé ✓");

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static List<String> echoed(String out) {
        List<String> args = new ArrayList<>(Arrays.asList(out.split("\0", -1)));
        assertEquals("", args.remove(args.size() - 1), "every argument is NUL-terminated: " + out);
        return args;
    }

    @Test
    void everyAwkwardArgumentReachesTheProgramExactly() throws IOException {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(AWKWARD);
        ProgramCall.Outcome outcome = ProgramCall.run(argv, Map.of("PATH", "/usr/bin:/bin"), TIMEOUT);
        assertEquals(0, outcome.code(), "printf failed: " + outcome.err());
        assertFalse(outcome.timedOut(), "printf was killed at the timeout");
        assertEquals(AWKWARD, echoed(outcome.out()));
    }

    @Test
    void eachAwkwardArgumentAloneReachesTheProgramExactly() throws IOException {
        for (String arg : AWKWARD) {
            ProgramCall.Outcome outcome = ProgramCall.run(List.of("printf", "%s\\0", arg),
                    Map.of("PATH", "/usr/bin:/bin"), TIMEOUT);
            assertEquals(List.of(arg), echoed(outcome.out()), "argument " + Arrays.toString(arg.getBytes()));
        }
    }

    @Test
    void environmentValuesReachTheProgramExactly() throws IOException {
        for (String value : List.of("  x  ", "\r", " ", "", "a b\nc", "$(id)", "=x=")) {
            ProgramCall.Outcome outcome = ProgramCall.run(List.of("printenv", "CORRAL_VALUE"),
                    Map.of("PATH", "/usr/bin:/bin", "CORRAL_VALUE", value), TIMEOUT);
            assertEquals(0, outcome.code(), "printenv found no CORRAL_VALUE for " + Arrays.toString(value.getBytes()));
            assertEquals(value + "\n", outcome.out(), "value " + Arrays.toString(value.getBytes()));
        }
    }

    @Test
    void theLauncherIsHandedTheArgvAsGiven() {
        List<String> argv = List.of("/usr/bin/tmux", "send-keys", "-l", "--", "\r", "  x  ", "");
        ExactCommandLine line = new ExactCommandLine(argv);
        assertArrayEquals(argv.toArray(String[]::new), line.toStrings());
        assertEquals("/usr/bin/tmux", line.getExecutable());
        assertArrayEquals(new String[] {"send-keys", "-l", "--", "\r", "  x  ", ""}, line.getArguments());
    }

    @Test
    void anExecutableNameIsNotRewritten() {
        assertEquals(" odd\\name ", new ExactCommandLine(List.of(" odd\\name ")).getExecutable());
    }

    @Test
    void aCommandLineWithoutAProgramOrWithAddedArgumentsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ExactCommandLine(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ExactCommandLine(List.of("")));
        ExactCommandLine line = new ExactCommandLine(List.of("true"));
        assertThrows(UnsupportedOperationException.class, () -> line.addArgument(" x "));
        assertThrows(UnsupportedOperationException.class, () -> line.addArguments("a b"));
    }

    /** commons-exec's own CommandLine trims arguments: only ExactCommandLine may build one. */
    @Test
    void noDaemonCodeBuildsACommonsExecCommandLineOfItsOwn() throws IOException {
        java.nio.file.Path sources = java.nio.file.Path.of("src/main/java");
        List<String> offenders = new ArrayList<>();
        try (var files = java.nio.file.Files.walk(sources)) {
            for (java.nio.file.Path file : (Iterable<java.nio.file.Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String text = java.nio.file.Files.readString(file);
                if (!file.endsWith("ExactCommandLine.java") && text.contains("import org.apache.commons.exec.CommandLine;")) {
                    offenders.add(sources.relativize(file).toString());
                }
            }
        }
        assertEquals(List.of(), offenders, "use ExactCommandLine: commons-exec's CommandLine trims every argument");
    }

    @Test
    void aTimedOutProgramIsKilledAndSaysSo() throws IOException {
        long start = System.nanoTime();
        ProgramCall.Outcome outcome = ProgramCall.run(List.of("sleep", "30"), Map.of("PATH", "/usr/bin:/bin"),
                Duration.ofMillis(300));
        assertEquals(true, outcome.timedOut(), "sleep 30 should have been killed at 300 ms");
        assertEquals(true, Duration.ofNanos(System.nanoTime() - start).toSeconds() < 15,
                "the kill came long after the timeout");
    }
}
