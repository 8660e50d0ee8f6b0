package dev.corral.daemon.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The agent profiles: three built in ({@code claude}, {@code codex}, {@code generic}) and those of
 * the user's config.toml, which replace a built-in of the same name. The file is read on every
 * use, so an edit applies to the next spawn without a restart. A broken file is refused with an
 * error that names the file, the line and the key.
 */
public final class Profiles {
    private static final Set<String> KEYS = Set.of("command", "requires", "env", "kind", "prompt", "mcp", "mcp_flag",
            "ready_when", "responders", "post_spawn");
    private static final Set<String> RESPONDER_KEYS = Set.of("when", "send", "within");
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m)?");

    private final Path configFile;

    public Profiles(Path configFile) {
        this.configFile = configFile;
    }

    /** {@code CORRAL_CONFIG}, else {@code $XDG_CONFIG_HOME/corral/config.toml}, else {@code ~/.config/corral/config.toml}. */
    public static Path configPath(Map<String, String> env) {
        if (present(env.get("CORRAL_CONFIG"))) {
            return Path.of(env.get("CORRAL_CONFIG")).toAbsolutePath();
        }
        Path base = present(env.get("XDG_CONFIG_HOME")) ? Path.of(env.get("XDG_CONFIG_HOME"))
                : dev.corral.daemon.DaemonPaths.home(env).resolve(".config");
        return base.resolve("corral").resolve("config.toml").toAbsolutePath();
    }

    public Path configFile() {
        return configFile;
    }

    /** Every profile by name, built-ins first. */
    public Map<String, Profile> all() throws SessionException {
        Map<String, Profile> profiles = new LinkedHashMap<>(builtIns());
        profiles.putAll(fromConfig());
        return profiles;
    }

    public Profile require(String name) throws SessionException {
        Profile profile = all().get(name);
        if (profile == null) {
            throw new SessionException(ErrorCode.BAD_REQUEST, "no agent profile named '" + name + "'; 'corral profile ls' lists them"
                    + " (add [profile." + name + "] to " + configFile + ")");
        }
        return profile;
    }

    private Map<String, Profile> fromConfig() throws SessionException {
        String text;
        try {
            text = Files.readString(configFile);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new SessionException(ErrorCode.BAD_CONFIG, "cannot read " + configFile + ": " + e.getMessage());
        }
        JsonNode root;
        try {
            root = new TomlMapper().readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new SessionException(ErrorCode.BAD_CONFIG, configFile + (line > 0 ? ":" + line : "")
                    + ": not valid TOML: " + e.getOriginalMessage());
        }
        Map<String, Profile> profiles = new LinkedHashMap<>();
        var top = root.fieldNames();
        while (top.hasNext()) {
            String key = top.next();
            if (!key.equals("profile")) {
                throw broken(text, List.of(key), "unknown key '" + key + "' (profiles go in [profile.NAME] tables)");
            }
        }
        var entries = root.path("profile").fields();
        while (entries.hasNext()) {
            var entry = entries.next();
            profiles.put(entry.getKey(), parse(text, entry.getKey(), entry.getValue()));
        }
        return profiles;
    }

    private Profile parse(String text, String name, JsonNode table) throws SessionException {
        if (!table.isObject()) {
            throw broken(text, List.of("profile", name), "profile." + name + " must be a table");
        }
        var keys = table.fieldNames();
        while (keys.hasNext()) {
            String key = keys.next();
            if (!KEYS.contains(key)) {
                throw broken(text, List.of("profile", name, key), "unknown key '" + key + "' in [profile." + name
                        + "]; known keys: " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        List<String> command = strings(text, name, table, "command");
        if (command.isEmpty()) {
            throw broken(text, List.of("profile", name, "command"), "profile." + name + ".command must be a non-empty array of strings");
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode envNode = table.path("env");
        if (!envNode.isMissingNode()) {
            if (!envNode.isObject()) {
                throw broken(text, List.of("profile", name, "env"), "profile." + name + ".env must be a table of strings");
            }
            var vars = envNode.fields();
            while (vars.hasNext()) {
                var var = vars.next();
                if (!var.getValue().isTextual()) {
                    throw broken(text, List.of("profile", name, "env", var.getKey()), "profile." + name + ".env." + var.getKey() + " must be a string");
                }
                env.put(var.getKey(), var.getValue().asText());
            }
        }
        String kindName = string(text, name, table, "kind", "pty");
        SessionSpec.Kind kind = SessionSpec.Kind.fromWire(kindName);
        if (kind == null) {
            throw broken(text, List.of("profile", name, "kind"), "profile." + name + ".kind must be \"pty\" or \"tmux\", not \"" + kindName + "\"");
        }
        String prompt = string(text, name, table, "prompt", "env");
        if (!prompt.equals("env") && !prompt.equals("arg") && !prompt.equals("type") && !prompt.matches("flag:-\\S+")) {
            throw broken(text, List.of("profile", name, "prompt"), "profile." + name
                    + ".prompt must be \"env\", \"arg\", \"type\" or \"flag:--NAME\", not \"" + prompt + "\"");
        }
        Map<String, Object> mcp = null;
        if (table.has("mcp")) {
            if (!table.get("mcp").isObject()) {
                throw broken(text, List.of("profile", name, "mcp"), "profile." + name + ".mcp must be a table");
            }
            mcp = new ObjectMapper().convertValue(table.get("mcp"), LinkedHashMap.class);
        }
        List<Profile.Responder> responders = new ArrayList<>();
        JsonNode rules = table.path("responders");
        if (!rules.isMissingNode() && !rules.isArray()) {
            throw broken(text, List.of("profile", name, "responders"), "profile." + name
                    + ".responders must be an array of tables: responders = [{ when = \"REGEX\", send = \"TEXT\", within = \"30s\" }]");
        }
        for (JsonNode rule : rules) {
            var ruleKeys = rule.fieldNames();
            while (ruleKeys.hasNext()) {
                String key = ruleKeys.next();
                if (!RESPONDER_KEYS.contains(key)) {
                    throw broken(text, List.of("profile", name, "responders", key), "unknown key '" + key
                            + "' in a responder of profile." + name + "; known keys: send, when, within");
                }
            }
            Pattern when = regex(text, name, rule, "when", true);
            String send = rule.path("send").isTextual() ? rule.get("send").asText() : null;
            if (send == null) {
                throw broken(text, List.of("profile", name, "responders", "send"), "a responder of profile." + name + " needs send = \"TEXT\"");
            }
            responders.add(new Profile.Responder(when, send, duration(text, name, rule)));
        }
        return new Profile(name, command, strings(text, name, table, "requires"), env, kind, prompt, mcp,
                string(text, name, table, "mcp_flag", null), regex(text, name, table, "ready_when", false), responders,
                string(text, name, table, "post_spawn", null), configFile.toString());
    }

    private List<String> strings(String text, String name, JsonNode table, String key) throws SessionException {
        JsonNode node = table.path(key);
        List<String> values = new ArrayList<>();
        if (node.isMissingNode()) {
            return values;
        }
        if (!node.isArray()) {
            throw broken(text, List.of("profile", name, key), "profile." + name + "." + key + " must be an array of strings, such as [\"claude\"]");
        }
        for (JsonNode value : node) {
            if (!value.isTextual()) {
                throw broken(text, List.of("profile", name, key), "profile." + name + "." + key + " must hold only strings");
            }
            values.add(value.asText());
        }
        return values;
    }

    private String string(String text, String name, JsonNode table, String key, String fallback) throws SessionException {
        JsonNode node = table.path(key);
        if (node.isMissingNode()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw broken(text, List.of("profile", name, key), "profile." + name + "." + key + " must be a string");
        }
        return node.asText();
    }

    private Pattern regex(String text, String name, JsonNode table, String key, boolean required) throws SessionException {
        JsonNode node = table.path(key);
        if (node.isMissingNode() && !required) {
            return null;
        }
        if (!node.isTextual()) {
            throw broken(text, List.of("profile", name, key), "profile." + name + "." + key + " must be a regular expression string");
        }
        try {
            return Pattern.compile(node.asText());
        } catch (PatternSyntaxException e) {
            throw broken(text, List.of("profile", name, key), "profile." + name + "." + key + " is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    private Duration duration(String text, String name, JsonNode rule) throws SessionException {
        JsonNode node = rule.path("within");
        if (node.isMissingNode()) {
            return Duration.ofSeconds(30);
        }
        if (node.isNumber()) {
            return Duration.ofMillis((long) (node.asDouble() * 1000));
        }
        Matcher m = DURATION.matcher(node.asText().trim());
        if (!node.isTextual() || !m.matches()) {
            throw broken(text, List.of("profile", name, "responders", "within"), "within in a responder of profile." + name
                    + " must be a duration such as \"30s\", \"500ms\" or \"2m\" (or a number of seconds)");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return Duration.ofMillis((long) (amount * switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            default -> 1000;
        }));
    }

    /** A semantic error, located at the line where its key is written (best effort). */
    private SessionException broken(String text, List<String> path, String message) {
        return new SessionException(ErrorCode.BAD_CONFIG, configFile + ":" + lineOf(text, path) + ": " + message);
    }

    /** The line of the last key of {@code path} after the header of its profile, else of that header. */
    static int lineOf(String text, List<String> path) {
        String[] lines = text.split("\n", -1);
        int from = 0;
        if (path.size() >= 2 && path.get(0).equals("profile")) {
            Pattern header = Pattern.compile("^\\s*\\[\\[?\\s*profile\\.\"?" + Pattern.quote(path.get(1)) + "\"?\\s*[.\\]].*");
            for (int i = 0; i < lines.length; i++) {
                if (header.matcher(lines[i]).matches()) {
                    from = i;
                    break;
                }
            }
        }
        String key = path.get(path.size() - 1);
        Pattern assignment = Pattern.compile("(^|[\\s{,])\"?" + Pattern.quote(key) + "\"?\\s*=");
        for (int i = from; i < lines.length; i++) {
            if (assignment.matcher(lines[i]).find()) {
                return i + 1;
            }
        }
        return from + 1;
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    /**
     * The built-in profiles. The real claude and codex binaries are not needed to read these;
     * their patterns follow the tools' first-run dialogs and are meant to be tuned in config.toml.
     */
    static Map<String, Profile> builtIns() {
        Map<String, Profile> profiles = new LinkedHashMap<>();
        profiles.put("claude", new Profile("claude", List.of("claude"), List.of("claude"), Map.of(), SessionSpec.Kind.TMUX,
                "type", Map.of(), "--mcp-config", Pattern.compile("(?m)^\\s*[>❯]\\s*$|\\? for shortcuts"),
                List.of(new Profile.Responder(Pattern.compile("(?i)do you trust the files in this folder"), "\r", Duration.ofSeconds(30)),
                        new Profile.Responder(Pattern.compile("(?i)yes, i accept"), "2\r", Duration.ofSeconds(30))),
                null, "built-in"));
        profiles.put("codex", new Profile("codex", List.of("codex"), List.of("codex"), Map.of(), SessionSpec.Kind.TMUX,
                "type", Map.of(), null, Pattern.compile("(?i)to get started|send a message|›"),
                List.of(new Profile.Responder(Pattern.compile("(?i)allow codex to work in this folder"), "\r", Duration.ofSeconds(30))),
                null, "built-in"));
        profiles.put("generic", new Profile("generic", List.of("/bin/sh"), List.of(), Map.of(), SessionSpec.Kind.PTY,
                "env", Map.of(), null, null, List.of(), null, "built-in"));
        return profiles;
    }
}
