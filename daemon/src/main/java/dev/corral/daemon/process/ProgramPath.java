package dev.corral.daemon.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The one lookup of a program on a PATH, as execvp does it: the first executable file of that name. */
public final class ProgramPath {
    private ProgramPath() {}

    /**
     * The first executable regular file {@code program} in the directories of {@code searchPath}.
     * An empty or relative entry is resolved against {@code base}; with a null base an empty entry is
     * skipped and a relative one is relative to the daemon's own directory.
     */
    public static Optional<Path> find(String program, String searchPath, Path base) {
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty() && base == null) {
                continue;
            }
            Path candidate = (base == null ? Path.of(dir) : dir.isEmpty() ? base : base.resolve(dir)).resolve(program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
