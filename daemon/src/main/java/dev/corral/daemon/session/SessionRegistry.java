package dev.corral.daemon.session;

import com.pty4j.PtyProcessBuilder;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every session of this daemon, by name. Enforces the cap on live sessions and reaps exited ones
 * once their grace period has passed (a timer per exit, no polling).
 */
public final class SessionRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Limits and timings, set by the daemon's flags. */
    public record Limits(int maxLive, int replayBytes, long clientQueueBytes, Duration exitGrace, Duration idleAfter) {
        public static Limits defaults() {
            return new Limits(64, 64 * 1024, 8L * 1024 * 1024, Duration.ofMinutes(30), Duration.ofSeconds(5));
        }
    }

    private final Limits limits;
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "session-reaper");
        thread.setDaemon(true);
        return thread;
    });
    private int generated;

    public SessionRegistry(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** pty4j's first spawn in a JVM loads its native library (about a second here): do it now. */
    public void warmUp() {
        Thread thread = new Thread(() -> {
            try {
                new PtyProcessBuilder(new String[] {"/bin/true"}).setConsole(false).start().waitFor();
            } catch (Exception | LinkageError e) {
                log.warn("PTY support failed to load; spawning sessions will fail: {}", e.toString());
            }
        }, "pty-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** Reserves the name, then starts the program (blocking: call off the event loop). */
    public Session spawn(SessionSpec requested) throws SessionException {
        Session session;
        synchronized (this) {
            long live = sessions.values().stream().filter(Session::running).count();
            if (live >= limits.maxLive()) {
                throw new SessionException(ErrorCode.CONFLICT, "session cap reached: " + live
                        + " live sessions (the daemon's --max-sessions); remove or end one first");
            }
            SessionSpec spec = requested.name() == null ? withGeneratedName(requested) : requested;
            if (!NAME.matcher(spec.name()).matches()) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "session name '" + spec.name()
                        + "' is not allowed: use letters, digits, '.', '_' or '-' (at most 64)");
            }
            if (sessions.containsKey(spec.name())) {
                throw new SessionException(ErrorCode.CONFLICT, "a session named '" + spec.name()
                        + "' already exists; choose another --name or remove it with 'corral rm " + spec.name() + "'");
            }
            if (!Files.isDirectory(spec.cwd())) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "working directory " + spec.cwd() + " does not exist");
            }
            session = new Session(spec, limits.replayBytes(), limits.clientQueueBytes());
            sessions.put(spec.name(), session);
        }
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(requested.env());
        environment.put("TERM", "xterm-256color");
        environment.put("CORRAL_SESSION", session.name());
        try {
            session.start(environment);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                sessions.remove(session.name());
            }
            throw new SessionException(ErrorCode.BAD_REQUEST, "cannot start " + requested.command().get(0) + ": " + e.getMessage());
        }
        session.exit().thenRun(() -> reaper.schedule(() -> reap(session), limits.exitGrace().toMillis(), TimeUnit.MILLISECONDS));
        log.info("session {} started: {} (pid {})", session.name(), requested.command(), session.pid());
        return session;
    }

    private SessionSpec withGeneratedName(SessionSpec spec) {
        String base = java.nio.file.Path.of(spec.command().get(0)).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "")
                .replaceFirst("^[^A-Za-z0-9]+", "");
        base = base.substring(0, Math.min(base.length(), 48));
        if (base.isEmpty()) {
            base = "session";
        }
        String name;
        do {
            name = base + "-" + (++generated);
        } while (sessions.containsKey(name));
        return new SessionSpec(name, spec.command(), spec.cwd(), spec.env(), spec.cols(), spec.rows());
    }

    public synchronized Optional<Session> find(String name) {
        return Optional.ofNullable(sessions.get(name));
    }

    public Session require(String name) throws SessionException {
        return find(name).orElseThrow(() -> new SessionException(ErrorCode.NO_SUCH_SESSION,
                "no session named '" + name + "'; 'corral ls --all' lists them"));
    }

    public synchronized List<Session> list(boolean all) {
        List<Session> listed = new ArrayList<>();
        for (Session session : sessions.values()) {
            if (all || session.running()) {
                listed.add(session);
            }
        }
        return listed;
    }

    /** Sends a signal to a live session's program. */
    public void kill(Session session, String signal) throws SessionException {
        String name = Signals.canonical(signal);
        if (!session.running()) {
            throw new SessionException(ErrorCode.CONFLICT, "session '" + session.name() + "' has already exited");
        }
        try {
            Signals.send(session.pid(), name);
        } catch (IOException e) {
            throw new SessionException(ErrorCode.INTERNAL, "could not signal session '" + session.name() + "': " + e.getMessage());
        }
    }

    /** Forgets an exited session; a live one only with force (then it is killed first). */
    public void remove(Session session, boolean force) throws SessionException {
        if (session.running()) {
            if (!force) {
                throw new SessionException(ErrorCode.CONFLICT, "session '" + session.name()
                        + "' is still running; end it with 'corral kill' or use 'corral rm --force'");
            }
            kill(session, "KILL");
            session.exit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> -1).join();
        }
        synchronized (this) {
            sessions.remove(session.name(), session);
        }
        log.info("session {} removed", session.name());
    }

    private void reap(Session session) {
        synchronized (this) {
            if (sessions.remove(session.name(), session)) {
                log.info("session {} reaped {} after it exited", session.name(), limits.exitGrace());
            }
        }
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        for (Session session : list(false)) {
            try {
                Signals.send(session.pid(), "HUP");
            } catch (IOException e) {
                log.warn("could not hang up session {}: {}", session.name(), e.toString());
            }
        }
    }
}
