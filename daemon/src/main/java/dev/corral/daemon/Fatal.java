package dev.corral.daemon;

import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a daemon that hit an {@link Error} (a heap run out, a stack overflowed, an internal
 * error of the VM): nothing it holds can be trusted any more, and a daemon that limps on answers
 * nothing while its lock keeps a healthy one out. So it says why in the log and exits at once
 * with {@link #EXIT_STATUS}; the kernel releases the socket lock, and a service manager (or the
 * next client) starts a fresh daemon. {@code bin/corrald} adds {@code -XX:+ExitOnOutOfMemoryError}
 * for the heap errors thrown where no handler of corral's sees them. A {@link LinkageError} (a
 * class or native library that would not load, such as pty4j's on an odd platform) is the one
 * Error that is not fatal: it fails what needed the library, and is logged as a bug.
 */
public final class Fatal {
    private static final Logger log = LoggerFactory.getLogger(Fatal.class);
    /** EX_SOFTWARE of sysexits.h: an internal error. */
    public static final int EXIT_STATUS = 70;

    private Fatal() {}

    /** Ends the daemon when {@code cause} is a fatal Error; returns when it is not. */
    public static void haltIfError(String where, Throwable cause) {
        Throwable actual = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        if (isFatal(actual)) {
            halt(where, actual);
        }
    }

    static boolean isFatal(Throwable cause) {
        return cause instanceof Error && !(cause instanceof LinkageError);
    }

    public static void halt(String where, Throwable cause) {
        try {
            log.error("fatal: {} in {}; corrald exits with status {} so that it can be started afresh", cause, where,
                    EXIT_STATUS, cause);
        } catch (Throwable ignored) {
            // Logging may itself fail on an exhausted heap; the exit matters more than the line.
        }
        Runtime.getRuntime().halt(EXIT_STATUS);
    }

    /** Every thread's last resort: an uncaught Error ends the daemon, an exception is a logged bug. */
    public static void install() {
        Thread.setDefaultUncaughtExceptionHandler((thread, cause) -> {
            if (isFatal(cause)) {
                halt("thread " + thread.getName(), cause);
            }
            log.error("bug: thread {} died of an uncaught exception", thread.getName(), cause);
        });
    }
}
