package dev.corral.protocol.args;

/** {@code container.snapshot}: the tag of {@code corral-agent:TAG}; absent, {@code snapshot-NAME}. */
public record SnapshotArgs(@Required String name, String tag) {
    public SnapshotArgs {
        Check.imageTag("tag", tag);
    }
}
