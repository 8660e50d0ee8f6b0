package dev.corral.protocol.result;

import java.util.List;

/** {@code container.ps}. */
public record ContainerList(List<ContainerView> containers) {}
