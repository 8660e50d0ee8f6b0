package dev.corral.client;

import dev.corral.protocol.Endpoint;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** corral, the client: forwards commands to corrald and maps every outcome to an exit status. */
@Command(name = "corral", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = Corral.VersionProvider.class,
        description = "Supervise AI coding-agent terminal sessions through corrald.",
        subcommands = {DaemonCommand.class, PingCommand.class, SessionCommands.Spawn.class,
                SessionCommands.ListSessions.class, SessionCommands.Show.class, AttachCommand.class,
                SessionCommands.Send.class, SessionCommands.Tail.class, SessionCommands.Wait.class,
                SessionCommands.Kill.class, SessionCommands.Remove.class, ProfileCommands.class, EventsCommand.class,
                ImageCommand.class, ContainerCommand.class,
                LeaseCommands.class,
                CommandLine.HelpCommand.class})
public final class Corral {

    @Option(names = "--socket", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "corrald's socket (default: $CORRAL_SOCKET, then $XDG_RUNTIME_DIR/corral/corral.sock).")
    String socket;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print results as JSON.")
    boolean json;

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new Corral())
                .setExecutionExceptionHandler(Corral::onFailure);
        System.exit(commandLine.execute(args));
    }

    /** The one place a failure becomes a message on stderr and an exit status. */
    private static int onFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (e instanceof CliFailure failure) {
            err.println("corral: " + failure.describe());
            err.flush();
            return failure.exitStatus();
        }
        err.println("corral: unexpected failure: " + e);
        e.printStackTrace(err);
        err.flush();
        return Exit.FAILED;
    }

    Endpoint endpoint() {
        return Endpoint.resolve(socket, System.getenv());
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
