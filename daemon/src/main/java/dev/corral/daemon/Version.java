package dev.corral.daemon;

/** The daemon's version, from the jar manifest the build writes. */
public final class Version {
    private Version() {}

    public static String daemon() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }
}
