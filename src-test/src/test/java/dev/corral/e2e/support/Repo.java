package dev.corral.e2e.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout under test: bin/corral and bin/corrald with the jars the reactor just built. */
public final class Repo {
    private Repo() {}

    public static Path home() {
        String property = System.getProperty("corral.home");
        Path home = property != null ? Path.of(property) : Path.of("..").toAbsolutePath().normalize();
        if (!Files.isExecutable(home.resolve("bin/corral"))) {
            throw new IllegalStateException("no bin/corral under " + home + "; run the tests from the repository root");
        }
        return home;
    }

    public static Path corral() {
        return home().resolve("bin/corral");
    }

    public static Path corrald() {
        return home().resolve("bin/corrald");
    }

    public static Path python(String script) {
        return home().resolve("src-test/src/test/python").resolve(script);
    }
}
