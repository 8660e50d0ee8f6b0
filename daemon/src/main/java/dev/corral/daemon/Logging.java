package dev.corral.daemon;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** The few things the daemon changes about logback's set-up (logback.xml) at run time. */
final class Logging {
    private Logging() {}

    /**
     * A daemon started in the background has its stderr in a start-up file that nobody rotates;
     * once it is up, only the rotating log in the state directory gets new lines.
     */
    static void stopStderr() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender("STDERR");
        }
    }
}
