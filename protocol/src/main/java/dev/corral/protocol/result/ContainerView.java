package dev.corral.protocol.result;

/** One container of {@code container.ps}, as the engine lists it; {@code id} is its short form. */
public record ContainerView(String name, String container, String id, String state, String status, String image,
        String task, String issue, String createdAt) {}
