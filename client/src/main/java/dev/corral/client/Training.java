package dev.corral.client;

import dev.corral.protocol.Endpoint;
import dev.corral.protocol.Json;
import dev.corral.protocol.Message;
import dev.corral.protocol.Response;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The run bin/corral makes the client's CDS archive or AOT cache from ({@code --train-archive}):
 * it parses the common command lines, writes and reads JSON and opens a socket to nowhere, so
 * the classes a real command needs are in the archive, without starting a daemon or printing.
 */
final class Training {
    private Training() {}

    static void run() {
        String[][] lines = {
            {"ping"}, {"--json", "ls"}, {"ls", "--all"}, {"spawn", "--name", "x", "--", "sh", "-c", "true"},
            {"attach", "x"}, {"show", "x"}, {"send", "x", "hi"}, {"tail", "x"}, {"wait", "x"},
            {"kill", "x"}, {"rm", "x"}, {"daemon", "start"}, {"daemon", "status"},
        };
        for (String[] line : lines) {
            try {
                Corral.commandLine(line).parseArgs(line);
            } catch (CommandLine.ParameterException e) {
                // Training only: a line that does not parse still loaded the parser's classes.
            }
        }
        byte[] json = Json.write(Message.request(1, "ping", Map.of("name", "x", "all", true, "command", List.of("sh"))));
        try {
            Response.parse(Json.write(Map.of("id", 1, "result", Map.of("sessions", List.of(), "pid", 1L, "x", 1.5))));
            Json.read(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Endpoint nowhere = new Endpoint(Path.of("/nonexistent/corral-training.sock"), false);
        if (DaemonConnection.tryOpen(nowhere) != null) {
            throw new IllegalStateException("a daemon answers on " + nowhere.socket());
        }
    }
}
