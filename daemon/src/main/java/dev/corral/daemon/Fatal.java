package dev.corral.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a daemon that hit an {@link Error} (a heap run out, a stack overflowed, a class that
 * would not link): nothing it holds can be trusted any more, and a daemon that limps on answers
 * nothing while its lock keeps a healthy one out. So it says why in the log and exits at once
 * with {@link #EXIT_STATUS}; the kernel releases the socket lock, and a service manager (or the
 * next client) starts a fresh daemon. {@code bin/corrald} adds {@code -XX:+ExitOnOutOfMemoryError}
 * for the heap errors thrown where no handler of corral's sees them.
 */
public final class Fatal {
    private static final Logger log = LoggerFactory.getLogger(Fatal.class);
    /** EX_SOFTWARE of sysexits.h: an internal error. */
    public static final int EXIT_STATUS = 70;

    private Fatal() {}

    /** Ends the daemon when {@code cause} is an Error; returns when it is not. */
    public static void haltIfError(String where, Throwable cause) {
        if (cause instanceof Error error) {
            halt(where, error);
        }
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
            if (cause instanceof Error) {
                halt("thread " + thread.getName(), cause);
            }
            log.error("bug: thread {} died of an uncaught exception", thread.getName(), cause);
        });
    }
}
