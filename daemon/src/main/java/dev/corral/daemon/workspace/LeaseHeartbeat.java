package dev.corral.daemon.workspace;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.session.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tick for every lease this daemon holds, each {@code heartbeat} on the {@code lease-heartbeat}
 * thread: renews this daemon's leases, and sweeps the known workspaces for stale ones.
 */
final class LeaseHeartbeat {
    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

    private final Workspaces.Settings settings;
    private final ObjectMapper mapper;
    private final KnownWorkspaces known;
    private final LeaseClaims claims;
    private final Clock clock;
    /** The launches of running sessions. */
    private final java.util.function.Supplier<List<WorkspaceClaim>> launches;

    LeaseHeartbeat(Workspaces.Settings settings, ObjectMapper mapper, KnownWorkspaces known, LeaseClaims claims, Clock clock,
            java.util.function.Supplier<List<WorkspaceClaim>> launches) {
        this.settings = settings;
        this.mapper = mapper;
        this.known = known;
        this.claims = claims;
        this.clock = clock;
        this.launches = launches;
    }

    /** One tick for all leases: renew this daemon's, clean stale ones in the known workspaces. */
    void tick() {
        List<WorkspaceClaim> owned = launches.get().stream().filter(WorkspaceClaim::ownsLease).toList();
        Set<Path> renewed = new HashSet<>();
        for (WorkspaceClaim launch : owned) {
            Session session = launch.session();
            if (session == null || !session.running()) {
                continue;
            }
            renewed.add(launch.root());
            try (MetadataLock lock = launch.meta().lock()) {
                Lease lease = launch.meta().lease().orElse(null);
                if (lease != null && lease.token().equals(launch.token())) {
                    launch.meta().writeLease(lease.renewed(clock.instant()));
                } else {
                    launch.ownsLease(false);
                    claims.ownTokens.remove(launch.token());
                    log.warn("the lease of {} no longer names session {} (released or cleaned); the session goes on "
                            + "without a lease", launch.root(), session.name());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("heartbeat of the lease of {} failed: {}", launch.root(), e.toString());
            }
        }
        for (Path root : known.all()) {
            if (!renewed.contains(root)) {
                sweep(root);
            }
        }
    }

    /** Cleans the lease of {@code root} if it is stale; answers why it was, or null. */
    String sweep(Path root) {
        if (!Files.isDirectory(root.resolve(MetadataDir.NAME))) {
            if (!Files.isDirectory(root)) {
                known.remove(root);
            }
            return null;
        }
        MetadataDir meta = new MetadataDir(root, mapper, settings.lockTimeout());
        try {
            Lease lease = meta.lease().orElse(null);
            if (lease == null || lease.staleReason(clock.instant(), claims.ownTokens) == null) {
                return null;
            }
        } catch (IOException e) {
            // Unreadable: cleaned below, under the lock.
        }
        try (MetadataLock lock = meta.lock()) {
            return claims.look(meta, clock.instant()).cleaned();
        } catch (IOException e) {
            log.warn("could not check the lease of {}: {}", root, e.getMessage());
            return null;
        }
    }
}
