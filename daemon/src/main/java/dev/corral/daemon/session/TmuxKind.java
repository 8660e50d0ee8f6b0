package dev.corral.daemon.session;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A session in the daemon's private tmux server: it outlives the daemon, and the next one adopts it. */
final class TmuxKind implements SessionKind {
    private static final Logger log = LoggerFactory.getLogger(TmuxKind.class);

    private final Session.Context context;
    private final SessionStore store;
    private final Tmux tmux;
    /**
     * Where each session's tmux checks run, one at a time per session: they block up to seconds,
     * so never on the registry's timer.
     */
    private final Supplier<ScheduledExecutorService> checks;
    /** Each tmux session's checks, for the /proc poll to run there too. */
    private final Map<Session, ScheduledExecutorService> sessionChecks = Collections.synchronizedMap(new WeakHashMap<>());
    /** tmux's sessions by name, from the survey; null when it was not asked. */
    private Map<String, Tmux.Pane> panes;
    private boolean answered = true;

    TmuxKind(Session.Context context, SessionStore store, Tmux tmux, Supplier<ScheduledExecutorService> checks) {
        this.context = context;
        this.store = store;
        this.tmux = tmux;
        this.checks = checks;
    }

    @Override
    public Session create(SessionSpec spec, String id, Instant createdAt) {
        ScheduledExecutorService own = checks.get();
        TmuxSession session = new TmuxSession(spec, id, createdAt, context, tmux, own);
        sessionChecks.put(session, own);
        return session;
    }

    @Override
    public void start(Session session, SessionSpec requested, Map<String, String> env) throws Refusal, IOException {
        tmux.binary();
        ((TmuxSession) session).start(env, store.record(session));
    }

    @Override
    public void survey(List<SessionStore.Entry> entries) {
        if (!Files.exists(tmux.socket()) && entries.stream().noneMatch(e -> e.spec().kind() == SessionSpec.Kind.TMUX)) {
            return;
        }
        try {
            panes = new HashMap<>();
            for (Tmux.Pane pane : tmux.panes()) {
                panes.putIfAbsent(pane.session(), pane);
            }
        } catch (IOException | Refusal e) {
            answered = false;
            log.warn("tmux did not answer while adopting sessions ({}); they stay unknown until it does", e.getMessage());
        }
        adoptUnrecorded(entries);
    }

    /**
     * tmux sessions that carry corral's marker but have no record (the daemon died between
     * creating one and recording it) are adopted from the record they carry.
     */
    private void adoptUnrecorded(List<SessionStore.Entry> entries) {
        if (!answered) {
            return;
        }
        Set<String> recorded = new HashSet<>();
        entries.forEach(entry -> recorded.add(entry.spec().name()));
        for (Tmux.Pane pane : panes.values()) {
            if (pane.marker().isEmpty() || recorded.contains(pane.session())) {
                continue;
            }
            try {
                SessionStore.Entry entry = store.parseRecord(pane.marker());
                if (entry.spec().kind() == SessionSpec.Kind.TMUX && entry.spec().name().equals(pane.session())) {
                    log.warn("tmux session {} has no record (the daemon stopped while starting it); adopted by its marker",
                            pane.session());
                    entries.add(entry);
                }
            } catch (IOException | RuntimeException e) {
                log.warn("tmux session {} carries an unreadable marker ({}); left alone", pane.session(), e.getMessage());
            }
        }
    }

    @Override
    public boolean adopt(Session session, SessionStore.Entry entry) {
        TmuxSession adopted = (TmuxSession) session;
        adopted.agent(entry.agent());
        Tmux.Pane pane = panes == null ? null : panes.get(entry.spec().name());
        if (SessionKind.recordedEnded(entry) && (pane == null || pane.dead())) {
            adopted.restoreEnded(pane, entry.state(), entry.exitCode(), entry.endedAt());
            return true;
        }
        if (!answered) {
            adopted.unknown();
        } else if (pane != null) {
            adopted.open(pane);
        } else {
            adopted.ended(Session.State.LOST, null, Instant.now());
        }
        return false;
    }

    /** Each tmux session's program, looked for in /proc (see {@link TmuxSession#watchdog}), among that session's checks. */
    void watchPrograms(List<Session> live) {
        for (Session session : live) {
            ScheduledExecutorService own = sessionChecks.get(session);
            if (session instanceof TmuxSession tmuxSession && own != null) {
                try {
                    own.execute(tmuxSession::watchdog);
                } catch (RejectedExecutionException e) {
                    // its checks are backed up or the daemon is stopping: the next poll comes in two seconds
                }
            }
        }
    }
}
