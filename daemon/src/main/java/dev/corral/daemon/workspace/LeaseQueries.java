package dev.corral.daemon.workspace;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Refusal;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.result.Cleaned;
import dev.corral.protocol.result.LeaseList;
import dev.corral.protocol.result.LeaseView;
import dev.corral.protocol.result.Released;
import dev.corral.protocol.result.WorkspaceView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The lease commands: list, show and release, each after the work queued in the workspace and a sweep. */
final class LeaseQueries {
    private static final Logger log = LoggerFactory.getLogger(LeaseQueries.class);

    private final Workspaces.Settings settings;
    private final ObjectMapper mapper;
    private final KnownWorkspaces known;
    private final WorkQueue work;
    private final LeaseClaims claims;
    private final LeaseHeartbeat heartbeat;
    private final Clock clock;
    /** Tells the running session whose lease was released by force that it has none any more. */
    private final java.util.function.Consumer<String> forcedOff;

    LeaseQueries(Workspaces.Settings settings, ObjectMapper mapper, KnownWorkspaces known, WorkQueue work, LeaseClaims claims,
            LeaseHeartbeat heartbeat, Clock clock, java.util.function.Consumer<String> forcedOff) {
        this.settings = settings;
        this.mapper = mapper;
        this.known = known;
        this.work = work;
        this.claims = claims;
        this.heartbeat = heartbeat;
        this.clock = clock;
        this.forcedOff = forcedOff;
    }

    /** Live leases in the known workspaces, after cleaning stale ones (listed in {@code cleaned}). */
    LeaseList list() {
        List<LeaseView> leases = new ArrayList<>();
        List<Cleaned> cleaned = new ArrayList<>();
        Instant now = clock.instant();
        for (Path root : known.all()) {
            work.await(root);
            String reason = heartbeat.sweep(root);
            if (reason != null) {
                cleaned.add(new Cleaned(root.toString(), reason));
            }
            lease(root).ifPresent(lease -> leases.add(describe(root, lease, now)));
        }
        return new LeaseList(leases, cleaned);
    }

    /** One workspace: its lease (or null) and its last session's summary (or null). */
    WorkspaceView show(Path dir) throws Refusal {
        Path root = existing(dir);
        work.await(root);
        LeaseClaims.refuseUnsafe(new MetadataDir(root, mapper, settings.lockTimeout()));
        String reason = heartbeat.sweep(root);
        LeaseView lease = lease(root).map(held -> describe(root, held, clock.instant())).orElse(null);
        Map<String, Object> last = new MetadataDir(root, mapper, settings.lockTimeout()).lastSession().orElse(null);
        return new WorkspaceView(root.toString(), lease, last, last == null ? null : SessionSummary.banner(last), reason);
    }

    /**
     * Removes a workspace's lease: a stale one always, a live one only with {@code force} (its
     * session goes on without a lease).
     */
    Released release(Path dir, boolean force) throws Refusal {
        Path root = existing(dir);
        work.await(root);
        MetadataDir meta = new MetadataDir(root, mapper, settings.lockTimeout());
        LeaseClaims.refuseUnsafe(meta);
        Instant now = clock.instant();
        try (MetadataLock lock = meta.lock()) {
            Lease lease;
            try {
                lease = meta.lease().orElse(null);
            } catch (IOException e) {
                return new Released(root.toString(), true, null, claims.look(meta, now).cleaned());
            }
            if (lease == null) {
                return new Released(root.toString(), false, null, "no lease");
            }
            String stale = lease.staleReason(now, claims.ownTokens);
            if (stale == null && !force) {
                throw new Refusal(ErrorCode.CONFLICT, "workspace " + root + " is leased by " + lease.describeHolder(now)
                        + ", which is live; end that session first, or use --force to release the lease anyway");
            }
            meta.deleteLease();
            claims.event(stale == null ? "lease.released" : "lease.stale", root, lease.session(), stale != null ? stale : "released by force");
            if (stale == null) {
                claims.ownTokens.remove(lease.token());
                forcedOff.accept(lease.token());
                log.warn("lease of {} released by force: session {} of corrald pid {} on {} goes on without a lease", root,
                        lease.session(), lease.holder().pid(), lease.holder().host());
            } else {
                log.info("stale lease of {} released: {}", root, stale);
            }
            return new Released(root.toString(), true, lease.session(), stale != null ? stale : "forced");
        } catch (IOException e) {
            throw new Refusal(ErrorCode.UNAVAILABLE, "could not release the lease of " + root + ": " + e.getMessage());
        }
    }

    private Optional<Lease> lease(Path root) {
        try {
            return new MetadataDir(root, mapper, settings.lockTimeout()).lease();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static LeaseView describe(Path root, Lease lease, Instant now) {
        return new LeaseView(root.toString(), lease.toJson(), Math.max(0, Duration.between(lease.heartbeat(), now).toSeconds()),
                lease.holder().isSelf());
    }

    private static Path existing(Path dir) throws Refusal {
        if (!dir.isAbsolute()) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "the workspace must be an absolute path, got '" + dir + "'");
        }
        try {
            Path root = dir.toRealPath();
            if (!Files.isDirectory(root)) {
                throw new Refusal(ErrorCode.BAD_REQUEST, dir + " is not a directory");
            }
            return root;
        } catch (IOException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "no workspace at " + dir + ": it does not exist");
        }
    }
}
