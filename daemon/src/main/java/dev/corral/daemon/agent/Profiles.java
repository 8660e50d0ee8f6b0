package dev.corral.daemon.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.corral.daemon.session.SessionException;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.args.Check;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The agent profiles: those built in ({@code claude}, {@code codex}, {@code gemini},
 * {@code generic}, read from {@code agent/profiles.toml} inside corrald) and those of the user's
 * config.toml, which replace a built-in of the same name. The file is read on every use, so an
 * edit applies to the next spawn without a restart. A broken file is refused with an error that
 * names the file, the line and the key.
 */
public final class Profiles {
    private static final Set<String> KEYS = Set.of("command", "requires", "env", "kind", "image", "prompt", "mcp", "mcp_flag",
            "ready_when", "not_when", "responders", "post_spawn", "start_timeout", "stuck_after");
    private static final Set<String> RESPONDER_KEYS = Set.of("when", "send", "keys", "within");
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m)?");
    static final String BUILT_IN_RESOURCE = "/agent/profiles.toml";
    private static final Duration WITHIN = Duration.ofSeconds(30);

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
        return read(new Source(configFile.toString(), text));
    }

    private static Map<String, Profile> read(Source source) throws SessionException {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(source.text());
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new SessionException(ErrorCode.BAD_CONFIG, source.where() + (line > 0 ? ":" + line : "")
                    + ": not valid TOML: " + e.getOriginalMessage());
        }
        Map<String, Profile> profiles = new LinkedHashMap<>();
        var top = root.fieldNames();
        while (top.hasNext()) {
            String key = top.next();
            if (!key.equals("profile")) {
                throw broken(source, List.of(key), "unknown key '" + key + "' (profiles go in [profile.NAME] tables)");
            }
        }
        var entries = root.path("profile").fields();
        while (entries.hasNext()) {
            var entry = entries.next();
            profiles.put(entry.getKey(), parse(source, entry.getKey(), entry.getValue()));
        }
        return profiles;
    }

    private static Profile parse(Source source, String name, JsonNode table) throws SessionException {
        if (!table.isObject()) {
            throw broken(source, List.of("profile", name), "profile." + name + " must be a table");
        }
        var keys = table.fieldNames();
        while (keys.hasNext()) {
            String key = keys.next();
            if (!KEYS.contains(key)) {
                throw broken(source, List.of("profile", name, key), "unknown key '" + key + "' in [profile." + name
                        + "]; known keys: " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        List<String> command = strings(source, name, table, "command");
        if (command.isEmpty()) {
            throw broken(source, List.of("profile", name, "command"), "profile." + name + ".command must be a non-empty array of strings");
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode envNode = table.path("env");
        if (!envNode.isMissingNode()) {
            if (!envNode.isObject()) {
                throw broken(source, List.of("profile", name, "env"), "profile." + name + ".env must be a table of strings");
            }
            var vars = envNode.fields();
            while (vars.hasNext()) {
                var var = vars.next();
                if (!var.getValue().isTextual()) {
                    throw broken(source, List.of("profile", name, "env", var.getKey()), "profile." + name + ".env." + var.getKey() + " must be a string");
                }
                env.put(var.getKey(), var.getValue().asText());
            }
        }
        String kindName = string(source, name, table, "kind", "pty");
        SessionSpec.Kind kind = SessionSpec.Kind.fromWire(kindName);
        if (kind == null) {
            throw broken(source, List.of("profile", name, "kind"), "profile." + name + ".kind must be \"pty\", \"tmux\" or \"container\", not \"" + kindName + "\"");
        }
        String image = string(source, name, table, "image", null);
        if (image != null && kind != SessionSpec.Kind.CONTAINER) {
            throw broken(source, List.of("profile", name, "image"), "profile." + name
                    + ".image goes with kind = \"container\" (the image the agent runs in)");
        }
        if (image != null && !Check.IMAGE_REFERENCE.matcher(image).matches()) {
            throw broken(source, List.of("profile", name, "image"), "profile." + name + ".image '" + image
                    + "' is not an image reference");
        }
        String prompt = string(source, name, table, "prompt", "env");
        if (!prompt.equals("env") && !prompt.equals("arg") && !prompt.equals("type") && !prompt.matches("flag:-\\S+")) {
            throw broken(source, List.of("profile", name, "prompt"), "profile." + name
                    + ".prompt must be \"env\", \"arg\", \"type\" or \"flag:--NAME\", not \"" + prompt + "\"");
        }
        Map<String, Object> mcp = null;
        if (table.has("mcp")) {
            if (!table.get("mcp").isObject()) {
                throw broken(source, List.of("profile", name, "mcp"), "profile." + name + ".mcp must be a table");
            }
            mcp = new ObjectMapper().convertValue(table.get("mcp"), LinkedHashMap.class);
        }
        List<Profile.Responder> responders = new ArrayList<>();
        JsonNode rules = table.path("responders");
        if (!rules.isMissingNode() && !rules.isArray()) {
            throw broken(source, List.of("profile", name, "responders"), "profile." + name
                    + ".responders must be an array of tables: responders = [{ when = \"REGEX\", keys = \"Enter\" }]");
        }
        for (JsonNode rule : rules) {
            responders.add(responder(source, name, rule));
        }
        Pattern readyWhen = regex(source, name, table, "ready_when", false);
        Pattern notWhen = regex(source, name, table, "not_when", false);
        if (notWhen != null && readyWhen == null) {
            throw broken(source, List.of("profile", name, "not_when"), "profile." + name + ".not_when needs a ready_when to go with");
        }
        return new Profile(name, command, strings(source, name, table, "requires"), env, kind, image, prompt, mcp,
                string(source, name, table, "mcp_flag", null), readyWhen, notWhen, responders,
                string(source, name, table, "post_spawn", null),
                duration(source, table.path("start_timeout"), List.of("profile", name, "start_timeout"), "profile." + name + ".start_timeout", null),
                duration(source, table.path("stuck_after"), List.of("profile", name, "stuck_after"), "profile." + name + ".stuck_after", null),
                source.where());
    }

    private static Profile.Responder responder(Source source, String name, JsonNode rule) throws SessionException {
        if (!rule.isObject()) {
            throw broken(source, List.of("profile", name, "responders"), "a responder of profile." + name
                    + " must be a table: { when = \"REGEX\", keys = \"Enter\" }");
        }
        var ruleKeys = rule.fieldNames();
        while (ruleKeys.hasNext()) {
            String key = ruleKeys.next();
            if (!RESPONDER_KEYS.contains(key)) {
                throw broken(source, List.of("profile", name, "responders", key), "unknown key '" + key
                        + "' in a responder of profile." + name + "; known keys: keys, send, when, within");
            }
        }
        Pattern when = regex(source, name, rule, "when", true);
        JsonNode send = rule.path("send");
        JsonNode keys = rule.path("keys");
        if (send.isMissingNode() == keys.isMissingNode()) {
            throw broken(source, List.of("profile", name, "responders", send.isMissingNode() ? "when" : "keys"), "a responder of profile."
                    + name + " needs either send = \"TEXT\" (typed; \\r is Enter) or keys = \"KEY …\" (such as \"Enter\" or \"Down Enter\")");
        }
        if (!send.isMissingNode() && !send.isTextual()) {
            throw broken(source, List.of("profile", name, "responders", "send"), "send in a responder of profile." + name + " must be a string");
        }
        if (!keys.isMissingNode() && (!keys.isTextual() || Keys.parse(keys.asText()) == null || Keys.parse(keys.asText()).isEmpty())) {
            throw broken(source, List.of("profile", name, "responders", "keys"), "keys in a responder of profile." + name
                    + " must name keys separated by spaces, not " + keys + "; known: " + Keys.KNOWN);
        }
        Duration within = duration(source, rule.path("within"), List.of("profile", name, "responders", "within"),
                "within in a responder of profile." + name, WITHIN);
        return new Profile.Responder(when, send.isMissingNode() ? null : send.asText(), keys.isMissingNode() ? null : keys.asText(), within);
    }

    private static List<String> strings(Source source, String name, JsonNode table, String key) throws SessionException {
        JsonNode node = table.path(key);
        List<String> values = new ArrayList<>();
        if (node.isMissingNode()) {
            return values;
        }
        if (!node.isArray()) {
            throw broken(source, List.of("profile", name, key), "profile." + name + "." + key + " must be an array of strings, such as [\"claude\"]");
        }
        for (JsonNode value : node) {
            if (!value.isTextual()) {
                throw broken(source, List.of("profile", name, key), "profile." + name + "." + key + " must hold only strings");
            }
            values.add(value.asText());
        }
        return values;
    }

    private static String string(Source source, String name, JsonNode table, String key, String fallback) throws SessionException {
        JsonNode node = table.path(key);
        if (node.isMissingNode()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw broken(source, List.of("profile", name, key), "profile." + name + "." + key + " must be a string");
        }
        return node.asText();
    }

    private static Pattern regex(Source source, String name, JsonNode table, String key, boolean required) throws SessionException {
        JsonNode node = table.path(key);
        if (node.isMissingNode() && !required) {
            return null;
        }
        if (!node.isTextual()) {
            throw broken(source, List.of("profile", name, key), "profile." + name + "." + key + " must be a regular expression string");
        }
        try {
            return Pattern.compile(node.asText());
        } catch (PatternSyntaxException e) {
            throw broken(source, List.of("profile", name, key), "profile." + name + "." + key + " is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    private static Duration duration(Source source, JsonNode node, List<String> path, String what, Duration fallback) throws SessionException {
        if (node.isMissingNode()) {
            return fallback;
        }
        if (node.isNumber() && node.asDouble() > 0) {
            return Duration.ofMillis((long) (node.asDouble() * 1000));
        }
        Matcher m = DURATION.matcher(node.asText().trim());
        if (!node.isTextual() || !m.matches() || Double.parseDouble(m.group(1)) <= 0) {
            throw broken(source, path, what + " must be a duration such as \"30s\", \"500ms\" or \"2m\" (or a number of seconds)");
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
    private static SessionException broken(Source source, List<String> path, String message) {
        return new SessionException(ErrorCode.BAD_CONFIG, source.where() + ":" + lineOf(source.text(), path) + ": " + message);
    }

    /** A profiles file: where it is (for messages and the profiles' {@code source}) and its text. */
    private record Source(String where, String text) {}

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

    private static volatile Map<String, Profile> builtIns;

    /**
     * The built-in profiles, from {@code agent/profiles.toml} inside corrald: the same format as
     * config.toml, with patterns written against what the real CLIs show on screen (the versions
     * tested are named in that file). Read once; a broken one is a bug in corrald.
     */
    static Map<String, Profile> builtIns() {
        Map<String, Profile> loaded = builtIns;
        if (loaded == null) {
            try (InputStream in = Profiles.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("corrald is missing its built-in profiles " + BUILT_IN_RESOURCE);
                }
                Map<String, Profile> read = read(new Source("built-in", new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                // Kept in the file's order.
                loaded = Collections.unmodifiableMap(read);
                builtIns = loaded;
            } catch (IOException | SessionException e) {
                throw new IllegalStateException("corrald's built-in profiles " + BUILT_IN_RESOURCE + " are broken: " + e.getMessage(), e);
            }
        }
        return loaded;
    }
}
