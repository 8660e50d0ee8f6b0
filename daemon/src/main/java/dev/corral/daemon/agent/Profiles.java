package dev.corral.daemon.agent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionSpec;
import dev.corral.daemon.state.StrictJson;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.args.Check;
import dev.corral.protocol.args.Required;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * The agent profiles: those built in ({@code claude}, {@code codex}, {@code gemini},
 * {@code generic}, read from {@code agent/profiles.toml} inside corrald) and those of the user's
 * config.toml, which replace a built-in of the same name. The file is read on every use, so an
 * edit applies to the next spawn without a restart. A broken file is refused with an error that
 * names the file, the line and the key.
 */
public final class Profiles {
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
    public Map<String, Profile> all() throws Refusal {
        Map<String, Profile> profiles = new LinkedHashMap<>(builtIns());
        profiles.putAll(fromConfig());
        return profiles;
    }

    public Profile require(String name) throws Refusal {
        Profile profile = all().get(name);
        if (profile == null) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "no agent profile named '" + name + "'; 'corral profile ls' lists them"
                    + " (add [profile." + name + "] to " + configFile + ")");
        }
        return profile;
    }

    private Map<String, Profile> fromConfig() throws Refusal {
        String text;
        try {
            text = Files.readString(configFile);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new Refusal(ErrorCode.BAD_CONFIG, "cannot read " + configFile + ": " + e.getMessage());
        }
        return read(new Source(configFile.toString(), text));
    }

    /** A profiles file: its {@code [profile.NAME]} tables. */
    record ProfilesFile(Map<String, ProfileTable> profile) {}

    /** One {@code [profile.NAME]} table, key for key (snake_case in the file: {@code mcp_flag}, {@code ready_when}). */
    record ProfileTable(@Required List<String> command, List<String> requires, Map<String, String> env, String kind,
            String image, String prompt, Map<String, Object> mcp, String mcpFlag, Pattern readyWhen, Pattern notWhen,
            List<ResponderTable> responders, String postSpawn,
            @JsonDeserialize(using = DurationValue.class) Duration startTimeout,
            @JsonDeserialize(using = DurationValue.class) Duration stuckAfter) {}

    /** One responder of a profile: {@code { when = "REGEX", keys = "Enter" }} or {@code send = "TEXT"}. */
    record ResponderTable(@Required Pattern when, String send, String keys,
            @JsonDeserialize(using = DurationValue.class) Duration within) {}

    /** A duration: "30s", "500ms", "2m", or a number of seconds; anything else names its key. */
    static final class DurationValue extends StdDeserializer<Duration> {
        DurationValue() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken().isNumeric() && parser.getDoubleValue() > 0) {
                return Duration.ofMillis((long) (parser.getDoubleValue() * 1000));
            }
            Matcher m = DURATION.matcher(parser.currentToken() == JsonToken.VALUE_STRING ? parser.getText().trim() : "");
            if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
                return (Duration) context.handleUnexpectedToken(Duration.class, parser.currentToken(), parser,
                        "must be a duration such as \"30s\", \"500ms\" or \"2m\" (or a number of seconds)");
            }
            double amount = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return Duration.ofMillis((long) (amount * switch (unit) {
                case "ms" -> 1;
                case "m" -> 60_000;
                default -> 1000;
            }));
        }
    }

    /** Binds a profiles file strictly: no unknown key, no value of another type, snake_case keys. */
    private static final TomlMapper TOML = StrictJson.strict(TomlMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));

    private static Map<String, Profile> read(Source source) throws Refusal {
        ProfilesFile file;
        try {
            file = TOML.readValue(source.text(), ProfilesFile.class);
        } catch (JsonMappingException e) {
            throw bindingFailed(source, e);
        } catch (JsonProcessingException e) {
            // TOML syntax: the parser's own line.
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new Refusal(ErrorCode.BAD_CONFIG, source.where() + (line > 0 ? ":" + line : "")
                    + ": not valid TOML: " + e.getOriginalMessage());
        }
        Map<String, Profile> profiles = new LinkedHashMap<>();
        if (file != null && file.profile() != null) {
            for (Map.Entry<String, ProfileTable> entry : file.profile().entrySet()) {
                profiles.put(entry.getKey(), profile(source, entry.getKey(), entry.getValue()));
            }
        }
        return profiles;
    }

    /**
     * A table Jackson would not bind, as {@code FILE:LINE: message} naming the key. The TOML parser
     * builds a tree before binding, so bound values carry no location of their own: the line is
     * the key's, found from Jackson's path (profile, name, key) in the text.
     */
    private static Refusal bindingFailed(Source source, JsonMappingException e) {
        List<String> path = new ArrayList<>();
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.add(reference.getFieldName());
                key.append(key.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                key.append('[').append(reference.getIndex()).append(']');
            }
        }
        String name = path.size() >= 2 ? path.get(1) : "";
        boolean inResponder = path.size() >= 4 && path.get(2).equals("responders");
        String message;
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
            message = path.size() == 1 ? "unknown key '" + path.get(0) + "' (profiles go in [profile.NAME] tables)"
                    : inResponder ? "unknown key '" + unknown.getPropertyName() + "' in a responder of profile." + name
                            + "; known keys: " + known
                    : "unknown key '" + unknown.getPropertyName() + "' in [profile." + name + "]; known keys: " + known;
        } else if (e.getOriginalMessage().startsWith("Missing required")) {
            // Jackson's path ends at the missing key: command (its profile's line) or a responder's when (the responders' line).
            if (inResponder) {
                path.remove(path.size() - 1);
            }
            message = inResponder ? "a responder of profile." + name + " needs when = \"REGEX\""
                    : "profile." + name + ".command must be a non-empty array of strings";
        } else if (badRegex(e) != null) {
            message = key + " is not a valid regular expression: " + badRegex(e).getDescription();
        } else if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() == Duration.class) {
            message = key + " " + e.getOriginalMessage();
        } else {
            message = key + " must be " + expected(e instanceof MismatchedInputException m ? m.getTargetType() : null, path);
        }
        return broken(source, path, message);
    }

    /** Why a string Jackson would not take as a Pattern is no regular expression, or null when that was not it. */
    private static PatternSyntaxException badRegex(JsonMappingException e) {
        if (e instanceof InvalidFormatException format && format.getTargetType() == Pattern.class
                && format.getValue() instanceof String text) {
            try {
                Pattern.compile(text);
            } catch (PatternSyntaxException bad) {
                return bad;
            }
        }
        return null;
    }

    private static String expected(Class<?> type, List<String> path) {
        String key = path.get(path.size() - 1);
        if (key.equals("responders")) {
            return "an array of tables: responders = [{ when = \"REGEX\", keys = \"Enter\" }]";
        }
        if (type == Pattern.class) {
            return "a regular expression string";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type != null && List.class.isAssignableFrom(type)) {
            return "an array of strings, such as [\"claude\"]";
        }
        if (type != null && (Map.class.isAssignableFrom(type) || Record.class.isAssignableFrom(type))) {
            return key.equals("env") ? "a table of strings" : "a table";
        }
        return "of another type";
    }

    /** A bound table, checked for what its types do not say. */
    private static Profile profile(Source source, String name, ProfileTable table) throws Refusal {
        if (table.command().isEmpty()) {
            throw broken(source, List.of("profile", name, "command"), "profile." + name + ".command must be a non-empty array of strings");
        }
        String kindName = table.kind() == null ? "pty" : table.kind();
        SessionSpec.Kind kind = SessionSpec.Kind.fromWire(kindName);
        if (kind == null) {
            throw broken(source, List.of("profile", name, "kind"), "profile." + name + ".kind must be \"pty\", \"tmux\" or \"container\", not \"" + kindName + "\"");
        }
        String image = table.image();
        if (image != null && kind != SessionSpec.Kind.CONTAINER) {
            throw broken(source, List.of("profile", name, "image"), "profile." + name
                    + ".image goes with kind = \"container\" (the image the agent runs in)");
        }
        if (image != null && !Check.IMAGE_REFERENCE.matcher(image).matches()) {
            throw broken(source, List.of("profile", name, "image"), "profile." + name + ".image '" + image
                    + "' is not an image reference");
        }
        String prompt = table.prompt() == null ? "env" : table.prompt();
        if (!prompt.equals("env") && !prompt.equals("arg") && !prompt.equals("type") && !prompt.matches("flag:-\\S+")) {
            throw broken(source, List.of("profile", name, "prompt"), "profile." + name
                    + ".prompt must be \"env\", \"arg\", \"type\" or \"flag:--NAME\", not \"" + prompt + "\"");
        }
        List<Profile.Responder> responders = new ArrayList<>();
        for (ResponderTable rule : table.responders() == null ? List.<ResponderTable>of() : table.responders()) {
            responders.add(responder(source, name, rule));
        }
        if (table.notWhen() != null && table.readyWhen() == null) {
            throw broken(source, List.of("profile", name, "not_when"), "profile." + name + ".not_when needs a ready_when to go with");
        }
        return new Profile(name, table.command(), table.requires() == null ? List.of() : table.requires(),
                table.env() == null ? Map.of() : table.env(), kind, image, prompt, table.mcp(), table.mcpFlag(),
                table.readyWhen(), table.notWhen(), responders, table.postSpawn(), table.startTimeout(), table.stuckAfter(),
                source.where());
    }

    private static Profile.Responder responder(Source source, String name, ResponderTable rule) throws Refusal {
        if ((rule.send() == null) == (rule.keys() == null)) {
            throw broken(source, List.of("profile", name, "responders", rule.send() == null ? "when" : "keys"), "a responder of profile."
                    + name + " needs either send = \"TEXT\" (typed; \\r is Enter) or keys = \"KEY …\" (such as \"Enter\" or \"Down Enter\")");
        }
        if (rule.keys() != null && (Keys.parse(rule.keys()) == null || Keys.parse(rule.keys()).isEmpty())) {
            throw broken(source, List.of("profile", name, "responders", "keys"), "keys in a responder of profile." + name
                    + " must name keys separated by spaces, not \"" + rule.keys() + "\"; known: " + Keys.KNOWN);
        }
        return new Profile.Responder(rule.when(), rule.send(), rule.keys(), rule.within() == null ? WITHIN : rule.within());
    }

    /** A semantic error, located at the line where its key is written (best effort). */
    private static Refusal broken(Source source, List<String> path, String message) {
        return new Refusal(ErrorCode.BAD_CONFIG, source.where() + ":" + lineOf(source.text(), path) + ": " + message);
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
            } catch (IOException | Refusal e) {
                throw new IllegalStateException("corrald's built-in profiles " + BUILT_IN_RESOURCE + " are broken: " + e.getMessage(), e);
            }
        }
        return loaded;
    }
}
