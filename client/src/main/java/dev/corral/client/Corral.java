package dev.corral.client;

import dev.corral.protocol.Endpoint;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** corral, the client: forwards commands to corrald and maps every outcome to an exit status. */
@Command(name = "corral", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = Corral.VersionProvider.class,
        description = "Supervise AI coding-agent terminal sessions through corrald.")
public final class Corral {
    /**
     * Every subcommand by the name typed, in the order help lists them. {@link #main} registers
     * only the one a command line names: building picocli's model of all of them costs a short
     * command tens of milliseconds.
     */
    static final Map<String, Class<?>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("daemon", DaemonCommand.class);
        SUBCOMMANDS.put("ping", PingCommand.class);
        SUBCOMMANDS.put("spawn", SessionCommands.Spawn.class);
        SUBCOMMANDS.put("ls", SessionCommands.ListSessions.class);
        SUBCOMMANDS.put("show", SessionCommands.Show.class);
        SUBCOMMANDS.put("attach", AttachCommand.class);
        SUBCOMMANDS.put("send", SessionCommands.Send.class);
        SUBCOMMANDS.put("tail", SessionCommands.Tail.class);
        SUBCOMMANDS.put("screen", SessionCommands.Screen.class);
        SUBCOMMANDS.put("wait", SessionCommands.Wait.class);
        SUBCOMMANDS.put("kill", SessionCommands.Kill.class);
        SUBCOMMANDS.put("rm", SessionCommands.Remove.class);
        SUBCOMMANDS.put("events", EventsCommand.class);
        SUBCOMMANDS.put("lease", LeaseCommands.class);
        SUBCOMMANDS.put("profile", ProfileCommands.class);
        SUBCOMMANDS.put("image", ImageCommand.class);
        SUBCOMMANDS.put("container", ContainerCommand.class);
        SUBCOMMANDS.put("web", WebCommand.class);
        SUBCOMMANDS.put("completion", CompletionCommand.class);
        SUBCOMMANDS.put("help", CommandLine.HelpCommand.class);
    }

    /** bin/corral's hidden argument for the run that makes the CDS archive or AOT cache. */
    static final String TRAIN_ARCHIVE = "--train-archive";

    @Option(names = "--socket", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "corrald's socket (default: $CORRAL_SOCKET, then $XDG_RUNTIME_DIR/corral/corral.sock).")
    String socket;

    @Option(names = "--socket-dir-shared", scope = ScopeType.INHERIT,
            description = "Allow a socket directory others can write to (not 0700); they could plant links beside the socket.")
    boolean socketDirShared;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print results as JSON.")
    boolean json;

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals(TRAIN_ARCHIVE)) {
            Training.run();
            return;
        }
        Trace.mark("main");
        CommandLine commandLine = commandLine(args);
        Trace.mark("picocli-model");
        int status = commandLine.execute(args);
        Trace.mark("command-done");
        System.exit(status);
    }

    /**
     * The command line to run {@code args} with. The subcommand it names comes from the model
     * made at build time ({@link CommandModel}), without reading annotations; help, version,
     * usage errors and anything the model lacks use the annotated model, which registers only
     * the subcommand named (all of them for help or a name that is not one).
     */
    static CommandLine commandLine(String[] args) {
        String named = subcommandNamed(args);
        if (named != null && !named.equals("help") && !asksForHelp(args) && System.getenv("CORRAL_REFLECTIVE_CLI") == null) {
            CommandLine fast = CommandModel.commandLine(new Corral(), named);
            if (fast != null) {
                // A usage error is reported by the annotated model, with its descriptions and usage.
                fast.setParameterExceptionHandler((e, again) -> annotated(again).execute(again));
                return fast.setExecutionExceptionHandler(Corral::onFailure);
            }
        }
        return annotated(args);
    }

    static CommandLine annotated(String[] args) {
        CommandLine commandLine = new CommandLine(new Corral());
        String named = subcommandNamed(args);
        if (named != null && !named.equals("help") && SUBCOMMANDS.containsKey(named)) {
            commandLine.addSubcommand(named, SUBCOMMANDS.get(named));
        } else {
            // No subcommand, help, or a name that is not one: all of them, for the usage message.
            SUBCOMMANDS.forEach(commandLine::addSubcommand);
        }
        commandLine.setParameterExceptionHandler(CliFailure::onUsageError);
        return commandLine.setExecutionExceptionHandler(Corral::onFailure);
    }

    /** -h, --help, -V or --version before any "--": picocli's help, from the annotated model. */
    private static boolean asksForHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("-h") || arg.equals("--help") || arg.equals("-V") || arg.equals("--version")) {
                return true;
            }
        }
        return false;
    }

    /** The whole command model, every subcommand registered: what completion scripts are made from. */
    static CommandLine withAllSubcommands() {
        CommandLine commandLine = new CommandLine(new Corral());
        SUBCOMMANDS.forEach(commandLine::addSubcommand);
        return commandLine;
    }

    /** The first word that is not a root option (nor --socket's value), or null. */
    static String subcommandNamed(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--socket")) {
                i++;
            } else if (arg.equals("--")) {
                return null;
            } else if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return null;
    }

    /** The one place a failure becomes a message on stderr and an exit status. */
    private static int onFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (e instanceof CliFailure failure) {
            if (CliFailure.jsonRequested(parseResult.originalArgs().toArray(String[]::new))) {
                err.println(failure.toJson());
                err.flush();
                return failure.exitStatus();
            }
            err.println("corral: " + failure.describe());
            err.flush();
            return failure.exitStatus();
        }
        err.println("corral: unexpected failure: " + e);
        e.printStackTrace(err);
        err.flush();
        return Exit.FAILED;
    }

    /** One request and its answer on a fresh connection, starting the daemon when none answers. */
    Map<String, Object> request(String op, Map<String, ?> args) {
        try (DaemonConnection daemon = DaemonConnection.open(endpoint(), true)) {
            return daemon.require(op, args);
        }
    }

    Endpoint endpoint() {
        return Endpoint.resolve(socket, System.getenv()).allowingSharedDirectory(socketDirShared);
    }

    static String version() {
        String version = Corral.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    /** The checkout or install the client runs from: bin/corral passes it, else the jar's place. */
    static Path home() {
        String property = System.getProperty("corral.home");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        try {
            // client/target/corral.jar → the repository root
            Path jar = Path.of(Corral.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of(".").toAbsolutePath();
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"corral " + version() + " (protocol " + dev.corral.protocol.Protocol.VERSION + ")"};
        }
    }
}
