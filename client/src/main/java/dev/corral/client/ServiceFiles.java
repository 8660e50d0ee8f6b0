package dev.corral.client;

import dev.corral.protocol.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service files {@code corral daemon install} writes: the templates in {@code systemd/} and
 * {@code launchd/} with this installation's real paths put in, and where each belongs.
 */
final class ServiceFiles {
    /** Which service manager. */
    enum Manager {
        SYSTEMD, LAUNCHD;

        static Manager forThisSystem() {
            return System.getProperty("os.name", "").toLowerCase().contains("mac") ? LAUNCHD : SYSTEMD;
        }
    }

    /** One file to write: its place and its text. */
    record File(Path target, String text) {}

    private static final String DEFAULT_SYSTEMD_SOCKET = "%t/corral/corral.sock";

    private ServiceFiles() {}

    /** The folder the manager reads a user's units from. */
    static Path unitDirectory(Manager manager, Map<String, String> env) {
        Path home = home(env);
        if (manager == Manager.LAUNCHD) {
            return home.resolve("Library/LaunchAgents");
        }
        String config = env.get("XDG_CONFIG_HOME");
        return (present(config) ? Path.of(config) : home.resolve(".config")).resolve("systemd/user");
    }

    static List<File> render(Manager manager, Path corralHome, Endpoint endpoint, Map<String, String> env) throws IOException {
        Path dir = unitDirectory(manager, env);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<File> files = new ArrayList<>();
        if (manager == Manager.SYSTEMD) {
            // The units' own socket (%t is XDG_RUNTIME_DIR) is the client's default; another one is written in.
            String socket = endpoint.isDefault() ? DEFAULT_SYSTEMD_SOCKET : systemdEscape(endpoint.socket().toString());
            for (String name : List.of("corrald.socket", "corrald.service")) {
                String text = template(corralHome.resolve("systemd").resolve(name))
                        .replace(DEFAULT_SYSTEMD_SOCKET, socket)
                        .replace("@CORRAL_HOME@", systemdEscape(corralHome.toString()))
                        .replace("@CORRAL_JAVA@", systemdEscape(java));
                String stateDir = env.get("CORRAL_STATE_DIR");
                if (name.endsWith(".service") && present(stateDir)) {
                    text = text.replace("--socket ", "--state-dir " + systemdEscape(Path.of(stateDir).toAbsolutePath().toString())
                            + " --socket ");
                }
                files.add(new File(dir.resolve(name), text));
            }
        } else {
            String name = "dev.corral.corrald.plist";
            String text = template(corralHome.resolve("launchd").resolve(name))
                    .replace("@CORRAL_HOME@", xmlEscape(corralHome.toString()))
                    .replace("@CORRAL_JAVA@", xmlEscape(java))
                    .replace("@CORRAL_STATE_DIR@", xmlEscape(stateDirectory(env).toString()));
            if (!endpoint.isDefault()) {
                // launchd gives the agent no XDG_RUNTIME_DIR or CORRAL_SOCKET: a socket of the user's own is written in.
                text = text.replace("    <string>--state-dir</string>\n", "    <string>--socket</string>\n    <string>"
                        + xmlEscape(endpoint.socket().toString()) + "</string>\n    <string>--state-dir</string>\n");
            }
            files.add(new File(dir.resolve(name), text));
        }
        return files;
    }

    /**
     * What the user should know about the files before using them: on systemd, a shell without
     * {@code XDG_RUNTIME_DIR} gives the client another default socket than the units' {@code %t} one,
     * so its commands would start a daemon of their own beside the service.
     */
    static List<String> notes(Manager manager, Endpoint endpoint, Map<String, String> env) {
        if (manager != Manager.SYSTEMD || !endpoint.isDefault() || present(env.get("XDG_RUNTIME_DIR"))) {
            return List.of();
        }
        return List.of("this shell has no XDG_RUNTIME_DIR, so corral here uses " + endpoint.socket() + ", not the units' socket "
                + DEFAULT_SYSTEMD_SOCKET + " (%t is XDG_RUNTIME_DIR, /run/user/" + Endpoint.currentUid() + " in a systemd user"
                + " session, which sets it for your shells too); to use one socket everywhere, set CORRAL_SOCKET="
                + endpoint.socket() + " in your shell's profile and install again");
    }

    /** What to type next. */
    static String nextStep(Manager manager, List<File> files) {
        if (manager == Manager.SYSTEMD) {
            return "systemctl --user daemon-reload && systemctl --user enable --now corrald.socket";
        }
        return "launchctl bootstrap gui/$(id -u) " + files.get(0).target();
    }

    static String stopStep(Manager manager, List<File> files) {
        if (manager == Manager.SYSTEMD) {
            return "systemctl --user disable --now corrald.socket corrald.service && systemctl --user daemon-reload";
        }
        return "launchctl bootout gui/$(id -u) " + files.get(0).target();
    }

    /**
     * corrald's state directory as corrald resolves it ({@code CORRAL_STATE_DIR}, then
     * {@code $XDG_STATE_HOME/corral}, then {@code $HOME/.local/state/corral}); the daemon's
     * DaemonPaths is the same rule.
     */
    static Path stateDirectory(Map<String, String> env) {
        if (present(env.get("CORRAL_STATE_DIR"))) {
            return Path.of(env.get("CORRAL_STATE_DIR")).toAbsolutePath();
        }
        if (present(env.get("XDG_STATE_HOME"))) {
            return Path.of(env.get("XDG_STATE_HOME"), "corral").toAbsolutePath();
        }
        return home(env).resolve(".local/state/corral");
    }

    static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(present(home) ? home : System.getProperty("user.home")).toAbsolutePath();
    }

    private static String template(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("cannot read the template " + file + " (" + e.getMessage()
                    + "); is this a whole corral installation?", e);
        }
    }

    /** A path in a unit file: '%' is a specifier, and spaces or quotes would split the command line. */
    private static String systemdEscape(String path) {
        String escaped = path.replace("%", "%%");
        if (escaped.matches(".*[\\s\"'\\\\;$].*")) {
            throw new CliFailure(Exit.USAGE, null, "the path " + path + " holds a space, quote, backslash, ';' or '$', "
                    + "which a systemd unit cannot take as it stands; install corral somewhere without them");
        }
        return escaped;
    }

    private static String xmlEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
