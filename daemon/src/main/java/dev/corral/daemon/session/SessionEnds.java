package dev.corral.daemon.session;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread ({@code session-end}, there only while there is work, gone after 30 s idle) on
 * which a terminal's end is recorded: the I/O that sees it is an event loop, and what hears of an
 * end writes the session's record and its workspace's files.
 */
final class SessionEnds {
    private static final Logger log = LoggerFactory.getLogger(SessionEnds.class);
    private static final ThreadPoolExecutor THREAD = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread thread = new Thread(r, "session-end");
                thread.setDaemon(true);
                return thread;
            });

    static {
        THREAD.allowCoreThreadTimeOut(true);
    }

    private SessionEnds() {}

    static void run(String session, Runnable end) {
        try {
            THREAD.execute(() -> {
                try {
                    end.run();
                } catch (RuntimeException e) {
                    log.error("bug: the end of session {} was not recorded", session, e);
                }
            });
        } catch (RejectedExecutionException e) {
            end.run();
        }
    }
}
