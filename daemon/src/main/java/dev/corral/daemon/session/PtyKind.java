package dev.corral.daemon.session;

import dev.corral.daemon.process.ProgramPath;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** A program in a PTY of the daemon's own: it dies with the daemon, so a restarted one finds it lost. */
final class PtyKind implements SessionKind {
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
    public void start(Session session, SessionSpec requested, Map<String, String> env) throws SessionException, IOException {
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
    static void requireProgram(String program, Map<String, String> environment, Path cwd) throws SessionException {
        if (program.contains("/")) {
            Path path = cwd.resolve(program);
            if (!Files.exists(path)) {
                throw new SessionException(ErrorCode.MISSING_DEPENDENCY, "cannot start " + program + ": no such file");
            }
            if (Files.isDirectory(path) || !Files.isExecutable(path)) {
                throw new SessionException(ErrorCode.BAD_REQUEST, "cannot start " + program + ": "
                        + (Files.isDirectory(path) ? "it is a directory" : "it is not executable"));
            }
            return;
        }
        String searchPath = environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        if (ProgramPath.find(program, searchPath, cwd).isPresent()) {
            return;
        }
        throw new SessionException(ErrorCode.MISSING_DEPENDENCY, "cannot start " + program + ": no such command on the daemon's PATH ("
                + searchPath + "); give its full path or install it");
    }
}
