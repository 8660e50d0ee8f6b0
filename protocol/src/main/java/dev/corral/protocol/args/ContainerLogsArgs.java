package dev.corral.protocol.args;

/** {@code container.logs}: the last {@code tail} lines (absent: all), then more as written with {@code follow}. */
public record ContainerLogsArgs(@Required String name, Integer tail, boolean follow) {
    public ContainerLogsArgs {
        tail = Check.atLeast("tail", tail, 0);
    }
}
