package dev.corral.daemon.screen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private tmux server (its own socket, no configuration) used as the reference terminal: bytes
 * are written raw into a pane of a given size, and what tmux then shows is read back with
 * {@code capture-pane -p -e} and pane formats.
 */
final class TmuxOracle implements AutoCloseable {
    private final Path dir;
    private Path socket;
    private int panes;

    TmuxOracle(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("tmux-0.sock");
    }

    /** Writes {@code bytes} into a fresh pane of {@code cols} x {@code rows} (no output processing) and waits until cat is done. */
    void show(byte[] bytes, int cols, int rows) throws IOException, InterruptedException {
        run("kill-server");
        // A server of its own each time: a server still going away cannot refuse the next one.
        socket = dir.resolve("tmux-" + ++panes + ".sock");
        Path input = dir.resolve("input.bin");
        Files.write(input, bytes);
        String script = "stty -opost -echo; cat '" + input + "'; tmux -S '" + socket + "' wait-for -S fed; exec sleep 1000";
        Path config = dir.resolve("tmux.conf");
        // Set before the pane starts, so the pane has its full size from the first byte.
        Files.writeString(config, "set -g status off\n");
        List<String> out = run("-f", config.toString(), "new-session", "-d", "-x", String.valueOf(cols), "-y",
                String.valueOf(rows), "-e", "LANG=C.UTF-8", script);
        assertTrue(out != null, "tmux new-session failed");
        run("wait-for", "fed");
    }

    /** capture-pane -p -e of the visible pane, one entry per row. */
    List<String> captureAnsi() throws IOException, InterruptedException {
        return run("capture-pane", "-p", "-e", "-t", "0");
    }

    /** A pane format such as {@code #{cursor_x}}. */
    String format(String format) throws IOException, InterruptedException {
        List<String> out = run("display-message", "-p", "-t", "0", format);
        return out == null || out.isEmpty() ? "" : out.get(0);
    }

    void resize(int cols, int rows) throws IOException, InterruptedException {
        run("resize-window", "-t", "0", "-x", String.valueOf(cols), "-y", String.valueOf(rows));
    }

    /** Runs a tmux command on the private socket; its output lines, or null if it failed. */
    List<String> run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("tmux " + String.join(" ", args) + " did not finish in 10 s");
        }
        if (process.exitValue() != 0) {
            return null;
        }
        String text = new String(out, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("kill-server");
    }
}
