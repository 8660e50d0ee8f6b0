package dev.corral.daemon.workspace;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.state.OwnedFiles;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims on workspaces: the checks and the lease at spawn (refusing a live lease unless forced,
 * cleaning a stale one), the lease naming its session once it is registered and its pid once it
 * runs, taken over for an adopted session, withdrawn after a failed spawn, and released at a
 * session's end.
 */
final class LeaseClaims {
    private static final Logger log = LoggerFactory.getLogger(LeaseClaims.class);

    private final Workspaces.Settings settings;
    private final ObjectMapper mapper;
    private final KnownWorkspaces known;
    private final WorkQueue work;
    private final CreatedWorkspaces created;
    private final Clock clock;
    /** Claims this daemon stands behind: a lease of this daemon with another token is left over. */
    final Set<String> ownTokens = ConcurrentHashMap.newKeySet();
    private volatile Workspaces.LeaseEvents events = (type, data) -> { };

    LeaseClaims(Workspaces.Settings settings, ObjectMapper mapper, KnownWorkspaces known, WorkQueue work,
            CreatedWorkspaces created, Clock clock) {
        this.settings = settings;
        this.mapper = mapper;
        this.known = known;
        this.work = work;
        this.created = created;
        this.clock = clock;
    }

    void publishTo(Workspaces.LeaseEvents sink) {
        this.events = sink;
    }

    void event(String type, Path root, String session, String reason) {
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("workspace", root.toString());
        data.put("session", session);
        if (reason != null) {
            data.put("reason", reason);
        }
        events.publish(type, data);
    }

    /**
     * Everything before the program starts: resolves the workspace and launch directory (refusing
     * escapes), checks and claims the lease (refusing a live one unless forced), captures the start
     * manifest, and gathers the banner and warnings. Blocking: call it on a worker.
     */
    WorkspaceClaim prepare(Workspaces.Request request) throws Refusal {
        Workspace workspace = Workspace.resolve(request.workspace(), request.cwd());
        work.await(workspace.root());
        MetadataDir meta = new MetadataDir(workspace.root(), mapper, settings.lockTimeout());
        refuseUnsafe(meta);
        known.add(workspace.root());
        Map<String, Object> last = meta.lastSession().orElse(null);
        Manifest lastManifest = meta.lastManifest().orElse(null);
        String token = WorkspaceClaim.newToken();
        Instant now = clock.instant();
        Claim claim;
        try {
            claim = claim(meta, request, token, now);
        } catch (Refusal e) {
            if (workspace.created() != null) {
                created.removeCreated(meta, token, null);
            }
            throw e;
        }
        Lease coexisting = claim.shared();
        Manifest start = null;
        String manifestFailure = null;
        String overBound = null;
        try {
            start = Manifest.capture(workspace.root(), lastManifest, settings.manifestBounds());
        } catch (Manifest.OverBound e) {
            overBound = e.getMessage();
            log.info("workspace {} is over the manifest bound ({}): its session runs without a manifest", workspace.root(),
                    overBound);
        } catch (IOException | RuntimeException e) {
            manifestFailure = e.toString();
        }
        WorkspaceClaim launch = new WorkspaceClaim(meta, workspace.launchDir(), token, workspace.created(), request.agent(), request.mode(), now, start);
        launch.noManifest(overBound != null ? "over the manifest bound: " + overBound : manifestFailure);
        launch.ownsLease(claim.owned());
        if (claim.cleaned() != null) {
            launch.notice("info", "cleaned a stale lease in " + workspace.root() + ": " + claim.cleaned());
        }
        if (claim.failure() != null) {
            launch.notice("warning", claim.failure());
        }
        if (last != null) {
            launch.notice("info", SessionSummary.banner(last));
        }
        if (coexisting != null) {
            launch.notice("warning", "workspace " + workspace.root() + " is leased by " + coexisting.describeHolder(now)
                    + "; --force: this session shares it without a lease");
        }
        if (overBound != null) {
            launch.notice("warning", "workspace " + workspace.root() + " is over the manifest bound (" + overBound
                    + "): this session runs without a manifest, so its summary will have no diff");
        } else if (manifestFailure != null) {
            launch.notice("warning", "could not list the files of " + workspace.root() + " (" + manifestFailure
                    + "); this session's summary will have no diff");
        } else if (lastManifest != null && coexisting == null && last != null) {
            ManifestDiff outside = lastManifest.diff(start);
            if (!outside.empty()) {
                launch.notice("warning", "files in " + workspace.root() + " changed since its last session ended ("
                        + last.get("endedAt") + "), outside any corral session: " + outside.counts() + example(outside));
            }
        }
        return launch;
    }

    /**
     * How a spawn's claim went: the lease taken ({@code owned}), a live lease to share under
     * --force ({@code shared}), or no lease because the metadata could not be written
     * ({@code failure}: not a refusal, the session runs without a lease and the reply says so).
     */
    private record Claim(boolean owned, Lease shared, String failure, String cleaned) {}

    /** Takes the lease for {@code token}, cleaning a stale one first; refuses a live one unless forced. */
    private Claim claim(MetadataDir meta, Workspaces.Request request, String token, Instant now) throws Refusal {
        try (MetadataLock lock = meta.lock()) {
            Look look = look(meta, now);
            Lease current = look.live();
            if (current != null) {
                if (!request.force()) {
                    throw new Refusal(ErrorCode.CONFLICT, "workspace " + meta.root() + " is leased by "
                            + current.describeHolder(now) + "; wait for it to end, run 'corral lease release "
                            + meta.root() + "' if it is gone, or spawn with --force to share the workspace without a lease");
                }
                return new Claim(false, current, null, null);
            }
            ownTokens.add(token);
            try {
                meta.writeLease(new Lease(token, null, null, Holder.self(), null, request.agent(), request.mode(), now, now,
                        settings.leaseTtl().toSeconds()));
            } catch (IOException e) {
                ownTokens.remove(token);
                throw e;
            }
            return new Claim(true, null, null, look.cleaned());
        } catch (IOException e) {
            log.warn("no lease for a session in {}: {}", meta.root(), e.getMessage());
            return new Claim(false, null, "could not take the lease of " + meta.root() + " (" + e.getMessage()
                    + "); this session runs without one, so other spawns will not see it", null);
        }
    }

    /** A look at a lease under the lock: the live one (or null), and why a stale one was cleaned (or null). */
    record Look(Lease live, String cleaned) {}

    /** Reads the lease and cleans it when it is stale or unreadable; the caller holds the lock. */
    Look look(MetadataDir meta, Instant now) throws IOException {
        Lease lease;
        try {
            lease = meta.lease().orElse(null);
        } catch (IOException e) {
            meta.deleteLease();
            log.warn("stale lease cleaned in {}: its file is unreadable ({})", meta.root(), e.getMessage());
            event("lease.stale", meta.root(), null, "its file was unreadable");
            return new Look(null, "its file was unreadable");
        }
        if (lease == null) {
            return new Look(null, null);
        }
        String stale = lease.staleReason(now, ownTokens);
        if (stale == null) {
            return new Look(lease, null);
        }
        meta.deleteLease();
        event("lease.stale", meta.root(), lease.session(), stale);
        log.info("stale lease cleaned in {}: it named session {} of corrald pid {} on {}, and {}", meta.root(),
                lease.session(), lease.holder().pid(), lease.holder().host(), stale);
        return new Look(null, "the lease of session " + lease.session() + " (corrald pid " + lease.holder().pid()
                + " on " + lease.holder().host() + "): " + stale);
    }

    private static String example(ManifestDiff diff) {
        List<String> some = new ArrayList<>(diff.modified());
        some.addAll(diff.added());
        some.addAll(diff.removed());
        return " (" + String.join(", ", some.subList(0, Math.min(3, some.size()))) + (some.size() > 3 ? ", ..." : "") + ")";
    }

    /** The session is registered, its program not started yet: the lease names it ({@code lease.acquired}). */
    void nameSession(WorkspaceClaim launch, Session session) {
        rename(launch, session, true);
    }

    /** The program started: the lease gets its pid (no event: the lease was acquired already). */
    void namePid(WorkspaceClaim launch, Session session) {
        rename(launch, session, false);
    }

    private void rename(WorkspaceClaim launch, Session session, boolean acquired) {
        if (launch.ownsLease()) {
            try (MetadataLock lock = launch.meta().lock()) {
                Lease lease = launch.meta().lease().orElse(null);
                if (lease != null && lease.token().equals(launch.token())) {
                    launch.meta().writeLease(lease.naming(session.name(), session.id(), session.pid(), session.kind()));
                    if (acquired) {
                        event("lease.acquired", launch.root(), session.name(), null);
                    }
                }
            } catch (IOException e) {
                log.warn("could not name session {} in the lease of {}: {}", session.name(), launch.root(), e.getMessage());
            }
        }
    }

    /** A session found again after a restart: its lease taken over, or taken anew if the workspace has none live. */
    void takeOver(MetadataDir meta, WorkspaceClaim launch, Session session) {
        Instant now = clock.instant();
        ownTokens.add(launch.token());
        try (MetadataLock lock = meta.lock()) {
            Lease lease;
            try {
                lease = meta.lease().orElse(null);
            } catch (IOException e) {
                lease = null;
            }
            if (lease != null && lease.token().equals(launch.token())) {
                meta.writeLease(lease.takenOver(now, settings.leaseTtl().toSeconds()).naming(session.name(), session.id(),
                        session.pid(), session.kind()));
                launch.ownsLease(true);
                log.info("lease of {} taken over for adopted session {}", meta.root(), session.name());
            } else if (look(meta, now).live() == null) {
                meta.writeLease(new Lease(launch.token(), session.name(), session.id(), Holder.self(),
                        session.pid() > 0 ? session.pid() : null, launch.agent(), launch.mode(), launch.startedAt(), now,
                        settings.leaseTtl().toSeconds()));
                launch.ownsLease(true);
                event("lease.acquired", meta.root(), session.name(), "adopted");
                log.info("lease of {} taken for adopted session {}", meta.root(), session.name());
            } else {
                launch.ownsLease(false);
                ownTokens.remove(launch.token());
            }
        } catch (IOException e) {
            launch.ownsLease(false);
            ownTokens.remove(launch.token());
            log.warn("could not take the lease of {} for adopted session {}: {}", meta.root(), session.name(), e.getMessage());
        }
    }

    /** The spawn failed after {@link #prepare}: the claim is withdrawn, a workspace it created removed. */
    void abandon(WorkspaceClaim launch) {
        if (ownTokens.remove(launch.token())) {
            try (MetadataLock lock = launch.meta().lock()) {
                Lease lease = launch.meta().lease().orElse(null);
                if (lease != null && lease.token().equals(launch.token())) {
                    launch.meta().deleteLease();
                }
            } catch (IOException e) {
                log.warn("could not withdraw the lease of {} after a failed spawn: {}", launch.root(), e.getMessage());
            }
        }
        if (launch.created() != null) {
            String kept = created.removeCreated(launch.meta(), launch.token(), null);
            if (kept != null) {
                log.info("workspace {} that a failed spawn created is kept: {}", launch.root(), kept);
            }
        }
    }

    /**
     * Refuses a workspace whose {@code .corral/} holds a symlink (or is one), or something of
     * another user's: corral would be led to read or write outside it.
     */
    static void refuseUnsafe(MetadataDir meta) throws Refusal {
        try {
            meta.check();
        } catch (OwnedFiles.UnsafePathException e) {
            log.warn("refused workspace {}: {}", meta.root(), e.getMessage());
            throw new Refusal(ErrorCode.UNSAFE_PATH, "workspace " + meta.root() + " refused: " + e.getMessage());
        } catch (IOException e) {
            throw new Refusal(ErrorCode.UNAVAILABLE, "cannot look at the metadata of workspace " + meta.root()
                    + ": " + e.getMessage());
        }
    }

    void releaseOwn(MetadataDir meta, WorkspaceClaim launch) throws IOException {
        try {
            Lease lease = meta.lease().orElse(null);
            if (lease != null && lease.token().equals(launch.token())) {
                meta.deleteLease();
                event("lease.released", meta.root(), lease.session(), "its session ended");
            }
        } catch (IOException e) {
            log.warn("could not read the lease of {} to release it: {}", meta.root(), e.getMessage());
        }
    }
}
