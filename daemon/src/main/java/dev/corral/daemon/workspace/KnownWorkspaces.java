package dev.corral.daemon.workspace;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.state.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workspaces this daemon has spawned into, kept in {@code STATE/workspaces.json} so that
 * {@code lease ls} and the stale-lease sweep still know them after a restart. The newest
 * {@link #LIMIT} are kept.
 */
final class KnownWorkspaces {
    private static final Logger log = LoggerFactory.getLogger(KnownWorkspaces.class);
    private static final int LIMIT = 1000;

    private final Path file;
    private final ObjectMapper mapper;
    private final LinkedHashSet<Path> roots = new LinkedHashSet<>();

    KnownWorkspaces(Path file, ObjectMapper mapper) {
        this.file = file;
        this.mapper = mapper;
        try {
            for (String root : mapper.readValue(file.toFile(), new TypeReference<List<String>>() {})) {
                roots.add(Path.of(root));
            }
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            // A daemon that never spawned into a workspace.
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
            log.warn("{} is unreadable ({}); moved to {} and starting with no known workspaces", file, e.getMessage(), aside);
            try {
                Files.move(file, aside);
            } catch (IOException moveFailed) {
                log.warn("could not set {} aside: {}", file, moveFailed.toString());
            }
        }
    }

    synchronized List<Path> all() {
        return new ArrayList<>(roots);
    }

    synchronized void add(Path root) {
        roots.remove(root);
        roots.add(root);
        while (roots.size() > LIMIT) {
            roots.remove(roots.iterator().next());
        }
        save();
    }

    synchronized void remove(Path root) {
        if (roots.remove(root)) {
            save();
        }
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, mapper.writeValueAsBytes(roots.stream().map(Path::toString).toList()));
        } catch (IOException e) {
            log.warn("could not record the known workspaces in {}: {}", file, e.toString());
        }
    }
}
