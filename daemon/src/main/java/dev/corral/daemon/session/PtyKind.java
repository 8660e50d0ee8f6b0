package dev.corral.daemon.session;

import com.pty4j.PtyProcessBuilder;
import dev.corral.daemon.process.ProgramPath;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A program in a PTY of the daemon's own: it dies with the daemon, so a restarted one finds it lost. */
final class PtyKind implements SessionKind {
    private static final Logger log = LoggerFactory.getLogger(PtyKind.class);
    private final Session.Context context;
    private final SessionStore store;
    /** The daemon's environment as its sessions inherit it. */
    private final Map<String, String> environment;

    PtyKind(Session.Context context, SessionStore store, Map<String, String> environment) {
        this.context = context;
        this.store = store;
        this.environment = environment;
    }

    @Override
    public Session create(SessionSpec spec, String id, Instant createdAt) {
        return new PtySession(spec, id, createdAt, context);
    }

    @Override
    public void start(Session session, SessionSpec requested, Map<String, String> env) throws Refusal, IOException {
        Map<String, String> environment = new HashMap<>(this.environment);
        environment.putAll(env);
        environment.put("TERM", "xterm-256color");
        requireProgram(requested.command().get(0), environment, requested.cwd());
        ((PtySession) session).start(environment);
    }

    @Override
    public boolean adopt(Session session, SessionStore.Entry entry) {
        PtySession lost = (PtySession) session;
        lost.agent(entry.agent());
        lost.restoreKept(entry.pid(), store.loadOutput(entry.spec().name()));
        if (SessionKind.recordedEnded(entry)) {
            lost.restoreEnded(entry.state(), entry.exitCode(), entry.endedAt());
            return true;
        }
        lost.ended(Session.State.LOST, null, Instant.now());
        return false;
    }

    /**
     * A program that cannot be run is refused with words before the fork: pty4j would only say
     * "Exec_tty error: Unknown reason" once the child failed to exec.
     */
    static void requireProgram(String program, Map<String, String> environment, Path cwd) throws Refusal {
        if (program.contains("/")) {
            Path path = cwd.resolve(program);
            if (!Files.exists(path)) {
                throw new Refusal(ErrorCode.MISSING_DEPENDENCY, "cannot start " + program + ": no such file");
            }
            if (Files.isDirectory(path) || !Files.isExecutable(path)) {
                throw new Refusal(ErrorCode.BAD_REQUEST, "cannot start " + program + ": "
                        + (Files.isDirectory(path) ? "it is a directory" : "it is not executable"));
            }
            return;
        }
        String searchPath = environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        if (ProgramPath.find(program, searchPath, cwd).isPresent()) {
            return;
        }
        throw new Refusal(ErrorCode.MISSING_DEPENDENCY, "cannot start " + program + ": no such command on the daemon's PATH ("
                + searchPath + "); give its full path or install it");
    }

    /** pty4j's first spawn in a JVM loads its native library (about a second here): do it now. */
    static void warmUp() {
        Thread thread = new Thread(() -> {
            try {
                dev.corral.daemon.terminal.Pty.ioMode(); // logs which I/O serves terminals
                new PtyProcessBuilder(new String[] {"/bin/true"}).setConsole(false).start().waitFor();
            } catch (Exception | LinkageError e) {
                if (!shuttingDown()) {
                    log.warn("PTY support failed to load; spawning sessions will fail: {}", e.toString());
                }
            }
        }, "pty-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** True once the JVM has begun to exit (a shutdown hook can no longer be added). */
    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /**
     * How long a stopping daemon waits for its PTY sessions' programs to end after the hangup: a
     * shell busy in a child sees its HUP trap only once the child returns, which under load took
     * over 3 s. Within the client's 15 s wait for the stop and the unit's TimeoutStopSec=20s.
     */
    private static final Duration STOP_GRACE = Duration.ofSeconds(8);

    /**
     * The daemon is stopping and has hung up its PTYs: waits (at most {@link #STOP_GRACE} for all)
     * for their programs to end, so that each is recorded as exited with its status.
     */
    static void awaitHangup(List<Session> live) {
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Session session : live) {
            if (!(session instanceof PtySession)) {
                continue;
            }
            try {
                session.exit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.warn("session {} did not end within {} ms of the hangup; the next daemon will find it lost",
                        session.name(), STOP_GRACE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                // ended some other way; nothing to wait for
            }
        }
    }

}
