package dev.corral.protocol.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;

/**
 * {@code session.spawn}: the session object, then the warnings to show and, in a workspace, its
 * notices (the banner and the checks' findings).
 */
public record Spawned(@JsonUnwrapped SessionView session, List<String> warnings,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Notice> notices) {}
