package dev.corral.daemon.agent;

import dev.corral.daemon.session.SessionSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How to run one kind of agent: its command line, what it needs installed, how its prompt reaches
 * it, and the dialogs to answer before it is ready. Built in ({@link Profiles}) or from the
 * user's config.toml.
 *
 * @param prompt   how the rendered prompt file reaches the agent: {@code env} (only the path in
 *                 {@code CORRAL_PROMPT_FILE}), {@code arg} (the path as the last argument),
 *                 {@code flag:--NAME} (the path after that flag) or {@code type} (its text typed
 *                 into the session once it is ready)
 * @param mcp      the MCP servers table rendered to a per-session JSON file, or empty
 * @param mcpFlag  the flag that hands that file's path to the agent, or null (the path is in
 *                 {@code CORRAL_MCP_CONFIG} either way)
 * @param source   where the profile came from: "built-in" or the config file's path
 */
public record Profile(String name, List<String> command, List<String> requires, Map<String, String> env,
        SessionSpec.Kind kind, String prompt, Map<String, Object> mcp, String mcpFlag, Pattern readyWhen,
        List<Responder> responders, String postSpawn, String source) {

    /** "When the output shows {@code when}, send {@code send}; if not ready {@code within} after, it is stuck." */
    public record Responder(Pattern when, String send, Duration within) {}

    public Profile {
        command = List.copyOf(command);
        requires = List.copyOf(requires);
        env = Map.copyOf(env);
        mcp = mcp == null ? Map.of() : mcp;
        responders = List.copyOf(responders);
    }

    /** What {@code corral profile show} prints. */
    public Map<String, Object> describe() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("name", name);
        object.put("source", source);
        object.put("command", command);
        object.put("requires", requires);
        object.put("env", env);
        object.put("kind", kind.wire());
        object.put("prompt", prompt);
        object.put("mcp", mcp);
        object.put("mcpFlag", mcpFlag);
        object.put("readyWhen", readyWhen == null ? null : readyWhen.pattern());
        object.put("responders", responders.stream().map(r -> {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("when", r.when().pattern());
            rule.put("send", r.send());
            rule.put("withinSeconds", r.within().toMillis() / 1000.0);
            return rule;
        }).toList());
        object.put("postSpawn", postSpawn);
        return object;
    }
}
