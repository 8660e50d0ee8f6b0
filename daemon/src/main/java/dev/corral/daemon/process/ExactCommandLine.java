package dev.corral.daemon.process;

import java.util.List;
import java.util.Objects;
import org.apache.commons.exec.CommandLine;

/**
 * A commons-exec command line whose argv reaches the program exactly as given. commons-exec 1.6's
 * own {@link CommandLine} trims every argument as it is added ({@code "\r"} becomes {@code ""},
 * {@code " two "} becomes {@code "two"}), with or without its quoting, and rewrites separators in
 * the executable's name. Its launcher builds the process from {@link #toStrings()} with
 * {@code Runtime.exec(String[], ...)}, which no shell and no parser sees, so this class hands the
 * argv over there untouched. Nothing can be added to it: the argv is fixed at construction.
 */
public final class ExactCommandLine extends CommandLine {
    private final List<String> argv;

    /** @param argv the program first, then its arguments, each passed as it is */
    public ExactCommandLine(List<String> argv) {
        super(placeholder(argv));
        this.argv = List.copyOf(argv);
    }

    /** The superclass refuses a blank executable; the real one is answered by {@link #getExecutable()}. */
    private static String placeholder(List<String> argv) {
        Objects.requireNonNull(argv, "argv");
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("a command line needs a program");
        }
        return argv.get(0).isBlank() ? "program" : argv.get(0);
    }

    /** The argv, program first, exactly as given. */
    public List<String> argv() {
        return argv;
    }

    @Override
    public String[] toStrings() {
        return argv.toArray(String[]::new);
    }

    @Override
    public String getExecutable() {
        return argv.get(0);
    }

    @Override
    public String[] getArguments() {
        return argv.subList(1, argv.size()).toArray(String[]::new);
    }

    @Override
    public CommandLine addArgument(String argument) {
        throw fixed();
    }

    @Override
    public CommandLine addArgument(String argument, boolean handleQuoting) {
        throw fixed();
    }

    @Override
    public CommandLine addArguments(String addArguments) {
        throw fixed();
    }

    @Override
    public CommandLine addArguments(String addArguments, boolean handleQuoting) {
        throw fixed();
    }

    @Override
    public CommandLine addArguments(String[] addArguments) {
        throw fixed();
    }

    @Override
    public CommandLine addArguments(String[] addArguments, boolean handleQuoting) {
        throw fixed();
    }

    private static UnsupportedOperationException fixed() {
        return new UnsupportedOperationException("an exact command line's argv is fixed when it is made");
    }

    @Override
    public String toString() {
        return argv.toString();
    }
}
