package dev.corral.e2e.support;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real terminal for a test: a command runs in a PTY, the test types into it and reads its screen bytes. */
public final class TerminalDriver implements AutoCloseable {
    private final PtyProcess process;
    /** Whose daemon log a failure shows. */
    private final Sandbox sandbox;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private TerminalDriver(PtyProcess process, Sandbox sandbox) {
        this.process = process;
        this.sandbox = sandbox;
        Thread reader = new Thread(this::read, "terminal-driver");
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs {@code sh -c script} in a new 80x24 PTY with the sandbox's environment. */
    public static TerminalDriver start(Sandbox sandbox, String script) throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(sandbox.env());
        env.put("TERM", "xterm-256color");
        env.put("CORRAL", Repo.corral().toString());
        PtyProcess process = new PtyProcessBuilder(List.of("/bin/sh", "-c", script).toArray(String[]::new))
                .setEnvironment(env).setDirectory(sandbox.dir().toString())
                .setInitialColumns(80).setInitialRows(24).setConsole(false).start();
        return new TerminalDriver(process, sandbox);
    }

    private void read() {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = process.getInputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (screen) {
                    screen.write(buffer, 0, n);
                    screen.notifyAll();
                }
            }
        } catch (IOException e) {
            // The PTY closes when its program ends.
        }
    }

    public String text() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    public byte[] bytes() {
        synchronized (screen) {
            return screen.toByteArray();
        }
    }

    /** Waits until the terminal has shown {@code expected}; fails with what it did show. */
    public void await(String expected, Duration limit) {
        Deadline.await(limit, () -> "'" + expected + "' on the terminal; it shows:\n" + text() + "\n" + sandbox.logTail(40),
                () -> text().contains(expected));
    }

    public void type(String keys) throws IOException {
        type(keys.getBytes(StandardCharsets.UTF_8));
    }

    public void type(byte[] keys) throws IOException {
        process.getOutputStream().write(keys);
        process.getOutputStream().flush();
    }

    public void resize(int cols, int rows) {
        process.setWinSize(new WinSize(cols, rows));
    }

    public int waitFor(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the terminal's program did not end within " + limit + "; it shows:\n" + text());
        }
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
