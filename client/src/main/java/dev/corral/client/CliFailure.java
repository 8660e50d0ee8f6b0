package dev.corral.client;

import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Response;

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
}
