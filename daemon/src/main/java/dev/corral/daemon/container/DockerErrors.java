package dev.corral.daemon.container;

import java.util.ArrayList;
import java.util.List;

/** Reading what the docker CLI printed when it failed: whether the engine was down, and the line that says why. */
final class DockerErrors {
    private DockerErrors() {}

    /** Whether docker's stderr says no engine answered (not running, not reachable, not permitted). */
    static boolean engineDown(String err) {
        return err.contains("Cannot connect to the Docker daemon") || err.contains("Is the docker daemon running")
                || err.contains("error during connect") || err.contains("permission denied while trying to connect")
                || (err.contains("dial unix") && (err.contains("no such file") || err.contains("connection refused")));
    }

    /**
     * The line of docker's stderr that says what went wrong: the one naming the engine it could
     * not reach, else the last line that is not a deprecation notice (the legacy builder prints one
     * first, and indented lines after it) or a logrus-style debug line.
     */
    static String errorLine(String text) {
        List<String> lines = text.strip().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        for (String line : lines) {
            if (engineDown(line)) {
                return line;
            }
        }
        List<String> useful = new ArrayList<>();
        boolean inNotice = false;
        for (String line : text.strip().lines().toList()) {
            if (line.startsWith("DEPRECATED:")) {
                inNotice = true;
                continue;
            }
            if (inNotice && (line.isBlank() || Character.isWhitespace(line.charAt(0)))) {
                continue;
            }
            inNotice = false;
            if (!line.isBlank() && !line.startsWith("time=\"")) {
                useful.add(line.strip());
            }
        }
        return !useful.isEmpty() ? useful.get(useful.size() - 1) : lines.isEmpty() ? "(docker printed nothing)" : lines.get(lines.size() - 1);
    }
}
