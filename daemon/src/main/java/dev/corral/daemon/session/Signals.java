package dev.corral.daemon.session;

import dev.corral.daemon.process.ExactCommandLine;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;

/** Sends a named signal to a process through the kill binary (argv only, no shell). */
final class Signals {
    private static final Set<String> NAMES = Set.of("HUP", "INT", "QUIT", "ABRT", "KILL", "USR1", "USR2",
            "PIPE", "ALRM", "TERM", "CONT", "STOP", "TSTP", "WINCH");

    private Signals() {}

    /** "TERM", "SIGTERM", "term" or "15" → the canonical name kill understands. */
    static String canonical(String signal) throws SessionException {
        String name = signal.trim().toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (NAMES.contains(name)) {
            return name;
        }
        if (name.matches("[0-9]{1,2}") && Integer.parseInt(name) >= 1 && Integer.parseInt(name) <= 64) {
            return name;
        }
        throw new SessionException(ErrorCode.BAD_REQUEST, "unknown signal '" + signal + "'; use a name such as TERM, INT, HUP, KILL or a number");
    }

    static void send(long pid, String canonicalName) throws IOException {
        if (pid <= 0) {
            // kill(2) reads -1 as "every process I may signal": never let a missing pid get there.
            throw new IOException("the session has no process yet");
        }
        ExactCommandLine kill = new ExactCommandLine(List.of("kill", "-s", canonicalName, "--", Long.toString(pid)));
        try {
            DefaultExecutor.builder().get().execute(kill);
        } catch (ExecuteException e) {
            throw new IOException("kill -s " + canonicalName + " " + pid + " failed with status " + e.getExitValue(), e);
        }
    }
}
