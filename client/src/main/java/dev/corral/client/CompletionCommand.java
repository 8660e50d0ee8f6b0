package dev.corral.client;

import dev.corral.protocol.Op;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code corral completion bash|zsh|fish}: a completion script made by picocli's generator from
 * the same command model that parses the command line, so subcommands and flags never drift.
 * Session and profile names are live: the script asks {@code corral completion --names KIND},
 * which asks the daemon when one answers (never starting one) and prints nothing when none does.
 */
@Command(name = "completion", description = {"Print a shell completion script for bash, zsh or fish.",
        "bash: source <(corral completion bash)   zsh: source <(corral completion zsh)   "
                + "fish: corral completion fish | source"})
final class CompletionCommand implements Callable<Integer> {
    /** Stands in the generated script for "ask corral for the live names"; replaced after generation. */
    static final String SESSIONS = "__corral_live_sessions__";
    static final String PROFILES = "__corral_live_profiles__";

    /** Session names, for the NAME parameter of every session command. */
    static final class SessionNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of(SESSIONS).iterator();
        }
    }

    /** Profile names, for {@code --agent} and {@code profile show}. */
    static final class ProfileNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of(PROFILES).iterator();
        }
    }

    /** The shells a script is made for. */
    static final class Shells implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("bash", "zsh", "fish").iterator();
        }
    }

    /** What the shell's TAB may wait for a daemon's names: a hung daemon must not freeze the prompt. */
    private static final java.time.Duration NAMES_LIMIT = java.time.Duration.ofSeconds(2);

    @ParentCommand
    Corral corral;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", arity = "0..1", completionCandidates = Shells.class, description = "bash, zsh or fish.")
    String shell;

    @CommandLine.Option(names = "--names", paramLabel = "KIND", hidden = true,
            description = "For the scripts: print live session or profile names, one a line (sessions|profiles).")
    String names;

    @Override
    public Integer call() {
        if (names != null) {
            printNames(names);
            return Exit.OK;
        }
        if (shell == null) {
            throw new CliFailure(Exit.USAGE, null, "completion needs a shell: corral completion bash, zsh or fish");
        }
        CommandLine full = Corral.withAllSubcommands();
        switch (shell) {
            case "bash", "zsh" -> System.out.print(bash(full));
            case "fish" -> System.out.print(fish(full));
            default -> throw new CliFailure(Exit.USAGE, null, "completion knows bash, zsh and fish, not '" + shell + "'");
        }
        return Exit.OK;
    }

    /** picocli's script (bash, and zsh through bashcompinit), with the live names asked of corral. */
    static String bash(CommandLine full) {
        String script = AutoComplete.bash("corral", full);
        String helper = """

                # Live names from the daemon that answers on corral's socket; nothing when none does.
                function _corral_live_names() {
                  local socket=() i
                  for (( i = 1; i < COMP_CWORD; i++ )); do
                    if [[ ${COMP_WORDS[i]} == --socket ]]; then socket=(--socket "${COMP_WORDS[i+1]}"); fi
                  done
                  "${COMP_WORDS[0]}" "${socket[@]}" completion --names "$1" 2>/dev/null
                }
                """;
        // picocli writes candidates as a quoted word list; a sentinel becomes a call made at completion time.
        // Names are letters, digits, '.', '_' and '-': split into words unquoted, one candidate each.
        script = script.replace("\"" + SESSIONS + "\"", "$(_corral_live_names sessions)")
                .replace("\"" + PROFILES + "\"", "$(_corral_live_names profiles)");
        if (script.contains(SESSIONS) || script.contains(PROFILES)) {
            throw new IllegalStateException("picocli's generator quoted the completion candidates in a way corral does not know");
        }
        int marker = script.indexOf("\n# Generates completions for the options and subcommands of the `corral` command.");
        return marker < 0 ? script + helper : script.substring(0, marker) + helper + script.substring(marker);
    }

    /** fish has no picocli generator; its complete lines come from the same picocli model. */
    static String fish(CommandLine full) {
        StringBuilder out = new StringBuilder("# corral completion for fish: corral completion fish | source\n");
        out.append("function __corral_live_names\n")
                .append("    corral completion --names $argv[1] 2>/dev/null\n")
                .append("end\n");
        out.append("complete -c corral -f\n");
        fishCommand(out, full, List.of());
        return out.toString();
    }

    private static void fishCommand(StringBuilder out, CommandLine command, List<String> path) {
        String condition = path.isEmpty() ? "__fish_use_subcommand"
                : "__fish_seen_subcommand_from " + path.get(path.size() - 1);
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            if (sub.getValue().getCommandSpec().usageMessage().hidden()) {
                continue;
            }
            String[] description = sub.getValue().getCommandSpec().usageMessage().description();
            out.append("complete -c corral -n '").append(condition).append("' -a ").append(sub.getKey())
                    .append(" -d '").append(fishQuote(description.length == 0 ? "" : description[0])).append("'\n");
        }
        for (OptionSpec option : command.getCommandSpec().options()) {
            if (option.hidden()) {
                continue;
            }
            for (String name : option.names()) {
                out.append("complete -c corral -n '").append(condition).append("' ")
                        .append(name.startsWith("--") ? "-l " + name.substring(2) : "-s " + name.substring(1));
                if (option.arity().max() > 0) {
                    out.append(" -r").append(candidates(option.completionCandidates()));
                }
                out.append(" -d '").append(fishQuote(option.description().length == 0 ? "" : option.description()[0])).append("'\n");
            }
        }
        for (PositionalParamSpec positional : command.getCommandSpec().positionalParameters()) {
            String live = candidates(positional.completionCandidates());
            if (!live.isEmpty() && !path.isEmpty()) {
                out.append("complete -c corral -n '").append(condition).append("'").append(live).append("\n");
            }
        }
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            List<String> next = new java.util.ArrayList<>(path);
            next.add(sub.getKey());
            fishCommand(out, sub.getValue(), next);
        }
    }

    private static String candidates(Iterable<String> values) {
        if (values == null) {
            return "";
        }
        StringBuilder words = new StringBuilder();
        for (String value : values) {
            words.append(value.equals(SESSIONS) ? "(__corral_live_names sessions)"
                    : value.equals(PROFILES) ? "(__corral_live_names profiles)" : value).append(' ');
        }
        return words.isEmpty() ? "" : " -a '" + words.toString().trim().replace("'", "\\'") + "'";
    }

    private static String fishQuote(String text) {
        return text.replace("\\", "\\\\").replace("'", "\\'");
    }

    /**
     * Names from a daemon that already answers: never starts one, and prints nothing (exit 0)
     * when none answers, so a shell's completion stays quick and silent.
     */
    private void printNames(String kind) {
        if (!kind.equals("sessions") && !kind.equals("profiles")) {
            throw new CliFailure(Exit.USAGE, null, "--names takes sessions or profiles");
        }
        try (DaemonConnection daemon = DaemonConnection.tryOpen(corral.endpoint(), NAMES_LIMIT)) {
            if (daemon == null) {
                return;
            }
            Map<String, Object> answer = kind.equals("sessions") ? daemon.require(Op.LIST, Map.of("all", true))
                    : daemon.require(Op.PROFILE_LIST, Map.of());
            Object listed = answer.get(kind);
            StringBuilder out = new StringBuilder();
            if (listed instanceof List<?> items) {
                for (Object item : items) {
                    if (item instanceof Map<?, ?> map && map.get("name") != null) {
                        out.append(map.get("name")).append('\n');
                    }
                }
            }
            System.out.print(out);
        } catch (CliFailure e) {
            // Completion is best effort: a daemon that refuses prints nothing.
        }
    }
}
