package dev.corral.client;

import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Json;
import dev.corral.protocol.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** Ends a command with a message on stderr and an exit status; {@link Corral} is the one place that prints it. */
final class CliFailure extends RuntimeException {
    private final int exitStatus;
    private final String code;

    CliFailure(int exitStatus, String code, String message) {
        super(message);
        this.exitStatus = exitStatus;
        this.code = code;
    }

    static CliFailure unreachable(String message) {
        return new CliFailure(Exit.UNREACHABLE, null, message);
    }

    /** The daemon refused a request: its message, its code, the status the code maps to. */
    static CliFailure refused(Response response) {
        ErrorCode code = response.errorCode();
        return new CliFailure(code.exitStatus(), code.name(), response.errorMessage());
    }

    int exitStatus() {
        return exitStatus;
    }

    /** What stderr shows: the message and, when the daemon gave one, its error code. */
    String describe() {
        return code == null ? getMessage() : getMessage() + " [" + code + "]";
    }

    /** The error as {@code --json} prints it on stderr: one object with a stable code, the message and the exit status. */
    String toJson() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code != null ? code : codeFor(exitStatus));
        error.put("message", getMessage());
        error.put("exit", exitStatus);
        return Json.writeString(Map.of("error", error));
    }

    /** A code for a failure the client found itself, by the status it ends with. */
    static String codeFor(int exitStatus) {
        return switch (exitStatus) {
            case Exit.USAGE -> "USAGE";
            case Exit.NO_SUCH_SESSION -> "NO_SUCH_SESSION";
            case Exit.CONFLICT -> "CONFLICT";
            case Exit.UNREACHABLE -> "UNREACHABLE";
            case Exit.TIMED_OUT -> "TIMED_OUT";
            case Exit.CORRAL_FAILED -> "CORRAL_FAILED";
            default -> "FAILED";
        };
    }

    /** Whether the command line asks for JSON: a --json before any "--". */
    static boolean jsonRequested(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--json")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A usage error picocli found (a bad value, a missing parameter, an unknown option): one
     * line in the CLI's words and where to read more, or under --json the error object; exit 2.
     */
    static int onUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        java.io.PrintWriter err = commandLine.getErr();
        if (jsonRequested(args)) {
            err.println(new CliFailure(Exit.USAGE, "USAGE", e.getMessage()).toJson());
        } else {
            err.println("corral: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("see '" + commandLine.getCommandSpec().qualifiedName() + " --help'");
        }
        err.flush();
        return Exit.USAGE;
    }
}
