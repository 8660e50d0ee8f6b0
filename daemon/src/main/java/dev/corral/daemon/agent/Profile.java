package dev.corral.daemon.agent;

import dev.corral.daemon.session.SessionSpec;
import dev.corral.protocol.result.ProfileView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How to run one kind of agent: its command line, what it needs installed, how its prompt reaches
 * it, the dialogs to answer before it is ready and how its ready prompt looks on screen. Built in
 * ({@code agent/profiles.toml} in corrald) or from the user's config.toml; see {@link Profiles}.
 *
 * @param image        the image a {@code kind = "container"} profile runs in when the spawn names none, or null:
 *                     corral's default agent image
 * @param prompt       how the rendered prompt file reaches the agent: {@code env} (only the path in
 *                     {@code CORRAL_PROMPT_FILE}), {@code arg} (the path as the last argument),
 *                     {@code flag:--NAME} (the path after that flag) or {@code type} (its text typed
 *                     into the session once it is ready, then Enter as a key of its own)
 * @param mcp          the MCP servers table rendered to a per-session JSON file, or empty
 * @param mcpFlag      the flag that hands that file's path to the agent, or null (the path is in
 *                     {@code CORRAL_MCP_CONFIG} either way)
 * @param readyWhen    the agent is ready (an empty prompt waits) when this is on screen, or null: ready at once
 * @param notWhen      … and this is not (a dialog's footer, a "working" line), or null
 * @param startTimeout not ready this long after the start: stuck
 * @param stuckAfter   not ready and the screen unchanged this long: stuck (a question nobody answers)
 * @param source       where the profile came from: "built-in" or the config file's path
 */
public record Profile(String name, List<String> command, List<String> requires, Map<String, String> env,
        SessionSpec.Kind kind, String image, String prompt, Map<String, Object> mcp, String mcpFlag, Pattern readyWhen, Pattern notWhen,
        List<Responder> responders, String postSpawn, Duration startTimeout, Duration stuckAfter, String source) {

    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STUCK_AFTER = Duration.ofSeconds(10);

    /**
     * "When the screen shows {@code when}, send {@code send} (text, each {@code \r} the Enter key)
     * or {@code keys} (key names); if not ready {@code within} after, it is stuck."
     */
    public record Responder(Pattern when, String send, String keys, Duration within) {
        /** What to type, step by step; the profile was checked, so the key names are known. */
        List<Keys.Step> steps() {
            return keys != null ? Keys.parse(keys) : Keys.literal(send);
        }
    }

    public Profile {
        command = List.copyOf(command);
        requires = List.copyOf(requires);
        env = Map.copyOf(env);
        mcp = mcp == null ? Map.of() : mcp;
        responders = List.copyOf(responders);
        startTimeout = startTimeout == null ? START_TIMEOUT : startTimeout;
        stuckAfter = stuckAfter == null ? STUCK_AFTER : stuckAfter;
    }

    /** What {@code corral profile show} prints. */
    public ProfileView describe() {
        return new ProfileView(name, source, command, requires, env, kind.wire(), image, prompt, mcp, mcpFlag,
                readyWhen == null ? null : readyWhen.pattern(), notWhen == null ? null : notWhen.pattern(),
                responders.stream().map(r -> new ProfileView.Responder(r.when().pattern(), r.keys(),
                        r.keys() != null ? null : r.send(), r.within().toMillis() / 1000.0)).toList(),
                postSpawn, startTimeout.toMillis() / 1000.0, stuckAfter.toMillis() / 1000.0);
    }
}
