package dev.corral.protocol.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** An agent profile as {@code profile.show} answers it (durations in seconds). */
public record ProfileView(String name, String source, List<String> command, List<String> requires, Map<String, String> env,
        String kind, @JsonInclude(JsonInclude.Include.NON_NULL) String image, String prompt, Map<String, Object> mcp,
        String mcpFlag, String readyWhen, String notWhen, List<Responder> responders, String postSpawn,
        double startTimeoutSeconds, double stuckAfterSeconds) {

    /** A responder: {@code keys} or {@code send}, whichever it has. */
    public record Responder(String when, @JsonInclude(JsonInclude.Include.NON_NULL) String keys,
            @JsonInclude(JsonInclude.Include.NON_NULL) String send, double withinSeconds) {}
}
