package dev.corral.protocol.result;

import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code lease.release}: whether a lease was removed, whose ({@code session}, when known) and why. */
public record Released(String workspace, boolean released, @JsonInclude(JsonInclude.Include.NON_NULL) String session,
        String reason) {}
