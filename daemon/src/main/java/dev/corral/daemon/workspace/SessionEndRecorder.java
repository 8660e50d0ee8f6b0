package dev.corral.daemon.workspace;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Session;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of a session in its workspace: the start record before its program starts, and at
 * its end the end manifest and diff, then either the provisional workspace removed, or the
 * summary, session log and last manifest written and the lease and start record removed. Runs on the
 * {@link WorkQueue}'s thread; every failure is a warning, and the session's exit status is never touched.
 */
final class SessionEndRecorder {
    private static final Logger log = LoggerFactory.getLogger(SessionEndRecorder.class);

    private final Workspaces.Settings settings;
    private final ObjectMapper mapper;
    private final LeaseClaims claims;
    private final CreatedWorkspaces created;
    private final Clock clock;

    SessionEndRecorder(Workspaces.Settings settings, ObjectMapper mapper, LeaseClaims claims, CreatedWorkspaces created,
            Clock clock) {
        this.settings = settings;
        this.mapper = mapper;
        this.claims = claims;
        this.created = created;
        this.clock = clock;
    }

    void writeStart(WorkspaceClaim launch) {
        Session session = launch.session();
        try (MetadataLock lock = launch.meta().lock()) {
            launch.meta().writeStart(session.id(), launch.startRecord(), launch.startManifest());
        } catch (IOException e) {
            log.warn("could not write the start record of session {} in {}: {}; after a daemon restart its summary "
                    + "will have no diff", session.name(), launch.root(), e.getMessage());
        }
    }

    /** The spawn failed after its start record was written: the record goes again. */
    void deleteStart(WorkspaceClaim launch) {
        Session session = launch.session();
        try (MetadataLock lock = launch.meta().lock()) {
            launch.meta().deleteStart(session.id());
        } catch (IOException e) {
            log.warn("could not delete the start record of failed session {} in {}: {}", session.name(), launch.root(),
                    e.getMessage());
        }
    }

    /**
     * A session that ended with the previous daemon, found at this one's start. Only one whose
     * start record is still there is unfinished; of any other, at most a lease naming it is left.
     */
    void finishRestored(Session session, String via) {
        MetadataDir meta = new MetadataDir(session.spec().workspace(), mapper, settings.lockTimeout());
        if (meta.startRecord(session.id()).isPresent()) {
            finish(WorkspaceClaim.restore(meta, session), session, via);
            return;
        }
        try (MetadataLock lock = meta.lock()) {
            Lease lease = meta.lease().orElse(null);
            if (lease != null && session.id().equals(lease.sessionId())) {
                meta.deleteLease();
                log.info("lease of {} removed: its session {} ended with the previous daemon", meta.root(), session.name());
            }
        } catch (IOException e) {
            log.warn("could not check the lease of {} for ended session {}: {}", meta.root(), session.name(), e.getMessage());
        }
    }

    static String detectedVia(Session session, boolean watched) {
        if (session.state() == Session.State.LOST) {
            return watched ? "tmux-session-gone" : "daemon-restart";
        }
        return "tmux".equals(session.kind()) ? "tmux-pane-died" : "process-exit";
    }

    /**
     * The end of a session in its workspace: end manifest and diff, then either the provisional
     * workspace is removed, or the summary, session log and last manifest are written and the lease
     * and start record removed, all under one lock. Runs on the endings thread.
     */
    void finish(WorkspaceClaim launch, Session session, String via) {
        Path root = launch.root();
        Instant endedAt = session.endedAt() == null ? clock.instant() : session.endedAt();
        Manifest end = null;
        try {
            if (launch.startManifest() != null || launch.noManifest() == null) {
                end = Manifest.capture(root, launch.startManifest(), settings.manifestBounds());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not list the files of {} at the end of session {}: {}; its summary has no diff", root,
                    session.name(), e.toString());
        }
        ManifestDiff diff = launch.startManifest() == null || end == null ? null : launch.startManifest().diff(end);
        if (provisional(launch, session, diff)) {
            return;
        }
        Map<String, Object> summary = SessionSummary.of(launch, session, endedAt, via, diff, end);
        MetadataDir meta = launch.meta();
        try (MetadataLock lock = meta.lock()) {
            try {
                meta.appendLog(SessionSummary.logLine(summary));
            } catch (IOException e) {
                log.warn("could not append session {} to the session log of {}: {}", session.name(), root, e.toString());
            }
            try {
                meta.writeLastSession(summary);
            } catch (IOException e) {
                log.warn("could not write the summary of session {} in {}: {}", session.name(), root, e.toString());
            }
            if (end != null) {
                try {
                    meta.writeLastManifest(end);
                } catch (IOException e) {
                    log.warn("could not keep the end manifest of {}: {}; the next spawn cannot tell outside changes",
                            root, e.toString());
                }
            }
            claims.releaseOwn(meta, launch);
            meta.deleteStart(session.id());
        } catch (IOException e) {
            log.warn("end-of-session writes of session {} in {} skipped: {}; its lease stays until it is stale",
                    session.name(), root, e.getMessage());
        } finally {
            claims.ownTokens.remove(launch.token());
        }
        log.info("session {} ended in workspace {}: {}", session.name(), root, diff == null ? "no diff" : diff.counts());
    }

    /**
     * A workspace this spawn created, whose session exited non-zero without changing a file, is
     * removed again: nothing in it is worth keeping. Only the workspace directory itself, never a
     * parent the spawn created with it, and only as {@link #removeCreated} allows.
     */
    private boolean provisional(WorkspaceClaim launch, Session session, ManifestDiff diff) {
        Integer code = session.exitCode();
        if (launch.created() == null || code == null || code == 0 || diff == null || !diff.empty()) {
            return false;
        }
        String kept = created.removeCreated(launch.meta(), launch.token(), session.id());
        if (kept != null) {
            log.info("workspace {} kept although this spawn created it and session {} exited with status {} without "
                    + "changing a file: {}", launch.root(), session.name(), code, kept);
            return false;
        }
        claims.ownTokens.remove(launch.token());
        log.info("workspace {} removed: this spawn created it, and session {} exited with status {} without changing a file",
                launch.root(), session.name(), code);
        return true;
    }
}
