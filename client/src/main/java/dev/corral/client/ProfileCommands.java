package dev.corral.client;

import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code corral profile ls | show NAME}: the agent profiles the daemon knows. */
@Command(name = "profile", description = "Agent profiles: built in, and from config.toml.",
        subcommands = {ProfileCommands.ListProfiles.class, ProfileCommands.ShowProfile.class})
final class ProfileCommands {
    @ParentCommand
    Corral corral;

    Map<String, Object> call(String op, Map<String, ?> args) {
        return corral.request(op, args);
    }

    @Command(name = "ls", description = "List the agent profiles.")
    static final class ListProfiles implements Callable<Integer> {
        @ParentCommand
        ProfileCommands parent;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            Map<String, Object> result = parent.call(Op.PROFILE_LIST, Map.of());
            List<Map<String, Object>> profiles = (List<Map<String, Object>>) result.get("profiles");
            if (parent.corral.json) {
                System.out.println(Json.writeString(profiles));
                return Exit.OK;
            }
            StringBuilder table = new StringBuilder(String.format("%-12s %-5s %-10s %s%n", "NAME", "KIND", "SOURCE", "COMMAND"));
            for (Map<String, Object> profile : profiles) {
                table.append(String.format("%-12s %-5s %-10s %s%n", profile.get("name"), profile.get("kind"),
                        "built-in".equals(profile.get("source")) ? "built-in" : "config",
                        String.join(" ", (List<String>) profile.get("command"))));
            }
            System.out.print(table);
            System.out.println("config: " + result.get("config"));
            return Exit.OK;
        }
    }

    @Command(name = "show", description = "Show one agent profile as the daemon would use it.")
    static final class ShowProfile implements Callable<Integer> {
        @ParentCommand
        ProfileCommands parent;

        @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.ProfileNames.class)
        String name;

        @Override
        public Integer call() {
            Map<String, Object> profile = parent.call(Op.PROFILE_SHOW, Map.of("name", name));
            if (parent.corral.json) {
                System.out.println(Json.writeString(profile));
            } else {
                profile.forEach((key, value) -> System.out.printf("%-11s %s%n", key, value));
            }
            return Exit.OK;
        }
    }
}
