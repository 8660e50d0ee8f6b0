package dev.corral.daemon.session;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.Locale;
import java.util.Set;

/** Sends a named signal to a process with kill(2). */
final class Signals {
    private static final Set<String> NAMES = Set.of("HUP", "INT", "QUIT", "ABRT", "KILL", "USR1", "USR2",
            "PIPE", "ALRM", "TERM", "CONT", "STOP", "TSTP", "WINCH");

    private Signals() {}

    /** "TERM", "SIGTERM", "term" or "15" → the canonical name kill understands. */
    static String canonical(String signal) throws Refusal {
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
        throw new Refusal(ErrorCode.BAD_REQUEST, "unknown signal '" + signal + "'; use a name such as TERM, INT, HUP, KILL or a number");
    }

    static void send(long pid, String canonicalName) throws IOException {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            // kill(2) reads -1 as "every process I may signal": never let a missing pid get there.
            throw new IOException("the session has no process yet");
        }
        int number = number(canonicalName);
        try {
            LibC.INSTANCE.kill((int) pid, number);
        } catch (LastErrorException e) {
            throw new IOException("kill(" + pid + ", SIG" + canonicalName + ") failed: errno " + e.getErrorCode()
                    + (e.getErrorCode() == ESRCH ? " (no such process)" : ""), e);
        } catch (LinkageError e) {
            throw new IOException("kill(2) is not reachable through JNA: " + e, e);
        }
    }

    private static final int ESRCH = 3;
    private static final boolean MAC = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("mac");

    /** The signal's number on this system (the numbers of USR1, USR2, CONT, STOP and TSTP differ on macOS). */
    static int number(String canonicalName) {
        return switch (canonicalName) {
            case "HUP" -> 1;
            case "INT" -> 2;
            case "QUIT" -> 3;
            case "ABRT" -> 6;
            case "KILL" -> 9;
            case "USR1" -> MAC ? 30 : 10;
            case "USR2" -> MAC ? 31 : 12;
            case "PIPE" -> 13;
            case "ALRM" -> 14;
            case "TERM" -> 15;
            case "CONT" -> MAC ? 19 : 18;
            case "STOP" -> MAC ? 17 : 19;
            case "TSTP" -> MAC ? 18 : 20;
            case "WINCH" -> 28;
            default -> Integer.parseInt(canonicalName);
        };
    }

    /** kill(2) from the C library, through the JNA that pty4j brings: no process per signal. */
    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int kill(int pid, int signal) throws LastErrorException;
    }

    /**
     * Sends a signal to a live session's program; refused when it has exited, even when the exit
     * came between the check and the signal.
     */
    static void deliver(Session session, String signal) throws Refusal {
        String name = canonical(signal);
        if (!session.running()) {
            throw new Refusal(ErrorCode.CONFLICT, "session '" + session.name() + "' has already exited"
                    + (session.exitCode() == null ? "" : " with status " + session.exitCode()));
        }
        try {
            session.signal(name);
        } catch (IOException e) {
            // The program may have ended between the check above and the signal: its exit is on its way.
            if (endsWithin(session, Duration.ofSeconds(2))) {
                throw new Refusal(ErrorCode.CONFLICT, "session '" + session.name() + "' has already exited"
                        + (session.exitCode() == null ? "" : " with status " + session.exitCode()));
            }
            throw new Refusal(ErrorCode.INTERNAL, "could not signal session '" + session.name() + "': " + e.getMessage());
        }
    }

    private static boolean endsWithin(Session session, Duration limit) {
        try {
            session.exit().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
