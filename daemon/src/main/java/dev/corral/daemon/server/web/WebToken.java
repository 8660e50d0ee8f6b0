package dev.corral.daemon.server.web;

import dev.corral.daemon.state.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The web view's secret: 32 random bytes made at each start, written 0600 to {@code STATE/web/token}
 * (so that {@code corral web} can print the URL again), and compared in constant time.
 */
public final class WebToken {
    private final String value;

    private WebToken(String value) {
        this.value = value;
    }

    /** A new token, stored at {@code file} (replacing any earlier one; never through a symlink). */
    public static WebToken create(Path file) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String value = HexFormat.of().formatHex(random);
        Path dir = file.getParent();
        if (Files.isSymbolicLink(dir)) {
            throw new IOException(dir + " is a symbolic link; corrald keeps its web token only in a directory of its own");
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + " is not a regular file; remove it and start the web view again");
        }
        AtomicFiles.write(file, value.getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return new WebToken(value);
    }

    public String value() {
        return value;
    }

    /** True when {@code given} is this token; takes the same time whatever it holds. */
    public boolean matches(String given) {
        if (given == null) {
            return false;
        }
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }
}
