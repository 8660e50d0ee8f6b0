package dev.corral.protocol.result;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The session object ({@code session.show}, one of {@code session.list}, the answer to spawn and
 * attach). {@code stuckOn} is there only while the session is stuck; {@code kindFields} are its
 * kind's own fields (tmux: {@code liveness}, {@code tmuxSocket}; container: {@code container},
 * {@code image}, {@code engine}, …), written at the top level after the common ones.
 */
public record SessionView(String name, String id, String kind, String state, Long pid, Integer exitCode,
        List<String> command, String cwd, String workspace, String agent, String createdAt, String endedAt, int attached,
        String readiness, @JsonInclude(JsonInclude.Include.NON_NULL) String stuckOn, String status, Size size,
        @JsonAnyGetter Map<String, Object> kindFields) {}
