package dev.corral.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.e2e.support.Deadline;
import dev.corral.e2e.support.Repo;
import dev.corral.e2e.support.Run;
import dev.corral.e2e.support.Sandbox;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web view through a real daemon: refusals checked on the wire (no token, a wrong token, a
 * foreign Origin, a Host that is not the listener, a non-loopback bind, an oversized body), and a
 * real browser (Debian's chromium driven by playwright-core: src-test/web/browser.cjs) that sees a
 * session spawned from the CLI appear, attaches (with the screen drawn before it), types, resizes,
 * sees colour, watches a status change, detaches and attaches read-only, sees the exit, and spawns
 * and kills a session from the page.
 */
class WebViewTest {
    @TempDir
    Path dir;
    Sandbox sandbox;
    String url;
    String hostPort;
    String token;

    @BeforeEach
    void start() throws IOException {
        sandbox = new Sandbox(dir);
        sandbox.startDaemon("--web", "127.0.0.1:0", "--idle-seconds", "2");
        url = sandbox.ok("web").out().strip();
        URI uri = URI.create(url);
        hostPort = uri.getHost() + ":" + uri.getPort();
        token = uri.getFragment().substring("token=".length());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /** One raw HTTP/1.1 request, so that Host and Origin are exactly what a hostile page or rebinding DNS would send. */
    private String http(String method, String path, Map<String, String> headers, String body) throws IOException {
        return http(method, path, headers, body, -1);
    }

    private String http(String method, String path, Map<String, String> headers, String body, int announced) throws IOException {
        URI uri = URI.create(url);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(20_000);
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nConnection: close\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            request.append("Content-Length: ").append(announced >= 0 ? announced : content.length).append("\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.write(content);
            out.flush();
            if (announced >= 0) {
                // Refused before the body: the status line and headers are the answer.
                BufferedReader head = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                StringBuilder answer = new StringBuilder();
                for (String line; (line = head.readLine()) != null && !line.isEmpty(); ) {
                    answer.append(line).append('\n');
                }
                return answer.toString();
            }
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void onlyTheTokenFromThisListenersOwnOriginGetsIn() throws IOException {
        String auth = "Bearer " + token;
        assertTrue(http("GET", "/api/sessions", Map.of("Host", hostPort, "Authorization", auth), null)
                .startsWith("HTTP/1.1 200"), "the token gets in");
        assertTrue(http("GET", "/api/sessions", Map.of("Host", hostPort), null).startsWith("HTTP/1.1 401"), "no token");
        assertTrue(http("GET", "/api/sessions", Map.of("Host", hostPort, "Authorization", "Bearer " + "0".repeat(64)), null)
                .startsWith("HTTP/1.1 401"), "a wrong token");
        assertTrue(http("GET", "/api/sessions", Map.of("Host", hostPort, "Cookie", "corral_token=nope"), null)
                .startsWith("HTTP/1.1 401"), "a wrong cookie");
        String rebound = http("GET", "/api/sessions", Map.of("Host", "attacker.example:" + URI.create(url).getPort(),
                "Authorization", auth), null);
        assertTrue(rebound.startsWith("HTTP/1.1 403") && rebound.contains("is not this listener"), rebound);
        // The refusal quotes the Host it was given, and stays one JSON object whatever that holds.
        String quoted = http("GET", "/api/sessions", Map.of("Host", "a\"b\\c.example:" + URI.create(url).getPort(),
                "Authorization", auth), null);
        Object refusal = dev.corral.protocol.Json.read(quoted.substring(quoted.indexOf("\r\n\r\n") + 4).strip()
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(refusal instanceof Map<?, ?> error && error.get("error") instanceof Map<?, ?> inner
                && String.valueOf(inner.get("message")).contains("a\"b\\c.example"), quoted);
        String foreign = http("GET", "/api/sessions", Map.of("Host", hostPort, "Origin", "http://attacker.example",
                "Authorization", auth), null);
        assertTrue(foreign.startsWith("HTTP/1.1 403") && foreign.contains("origin"), foreign);
        String upgrade = http("GET", "/ws/events", Map.of("Host", hostPort, "Origin", "http://attacker.example",
                "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13",
                "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Cookie", "corral_token=" + token), null);
        assertTrue(upgrade.startsWith("HTTP/1.1 403"), "a cross-site WebSocket is refused: " + upgrade);
        String page = http("GET", "/", Map.of("Host", hostPort), null);
        assertTrue(page.startsWith("HTTP/1.1 200") && page.contains("Content-Security-Policy: default-src 'none'"), page);
        // Announced and refused before it is sent (the client waits for 100 Continue, as curl does for big bodies).
        String big = http("POST", "/api/sessions", Map.of("Host", hostPort, "Authorization", auth, "Expect", "100-continue",
                "Content-Type", "application/json"), null, 2 * 1024 * 1024);
        assertTrue(big.startsWith("HTTP/1.1 413"), "an oversized body: " + big.lines().findFirst().orElse(""));
        String spawned = http("POST", "/api/sessions", Map.of("Host", hostPort, "Authorization", auth),
                "{\"name\":\"rest\",\"command\":[\"sh\",\"-c\",\"echo from-rest; sleep 60\"]}");
        assertTrue(spawned.startsWith("HTTP/1.1 200") && spawned.contains("\"name\":\"rest\""), spawned);
        assertTrue(sandbox.ok("ls").out().contains("rest"), "a session spawned over REST is the daemon's like any other");
        assertTrue(http("GET", "/api/sessions/nope", Map.of("Host", hostPort, "Authorization", auth), null)
                .startsWith("HTTP/1.1 404"), "the socket protocol's NO_SUCH_SESSION is a 404");
        String logs = Files.readString(sandbox.log());
        assertTrue(logs.contains("web view refused"), "refusals are logged");

        Run.Result exposed = Run.command(sandbox.env(), Duration.ofSeconds(60), Run.argv(Repo.corral(), "web", "--address", "0.0.0.0:0"));
        assertEquals(url, exposed.out().strip(), "a running web view keeps its address; " + exposed);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aWebSocketFrameOverTheBoundIsClosedWith1009AndLogged() throws Exception {
        sandbox.ok("spawn", "--name", "framed", "--", "sleep", "60");
        java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://" + hostPort + "/ws/sessions/framed"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int status, String reason) {
                        closed.complete(status + " " + reason);
                        return null;
                    }

                    @Override
                    public void onError(java.net.http.WebSocket ws, Throwable error) {
                        closed.complete("error " + error);
                    }
                }).get(30, TimeUnit.SECONDS);
        socket.sendBinary(java.nio.ByteBuffer.allocate(100 * 1024), true);
        String close = closed.get(30, TimeUnit.SECONDS);
        assertTrue(close.startsWith("1009"), "closed with " + close);
        Deadline.await(Duration.ofSeconds(10), () -> "the refused frame in the log\n" + sandbox.logTail(10), () -> {
            try {
                return Files.readString(sandbox.log()).contains("web view refused a WebSocket frame on the terminal of framed");
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals("running", sandbox.show("framed").get("state"), "the session runs on");
        // The body bound is logged too (the aggregator's 413, checked in the first test).
        String big = http("POST", "/api/sessions", Map.of("Host", hostPort, "Authorization", "Bearer " + token,
                "Expect", "100-continue", "Content-Type", "application/json"), null, 2 * 1024 * 1024);
        assertTrue(big.startsWith("HTTP/1.1 413"), big);
        Deadline.await(Duration.ofSeconds(10), () -> "the refused body in the log\n" + sandbox.logTail(10), () -> {
            try {
                return Files.readString(sandbox.log()).contains("(413): the body is over 1048576 bytes");
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** A WebSocket's text frames, parsed, as they arrive. */
    private java.util.concurrent.BlockingQueue<Map<String, Object>> events(String firstFrame) throws Exception {
        java.util.concurrent.BlockingQueue<Map<String, Object>> frames = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://" + hostPort + "/ws/events"), new java.net.http.WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    @SuppressWarnings("unchecked")
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                frames.add((Map<String, Object>) dev.corral.protocol.Json.read(
                                        text.toString().getBytes(StandardCharsets.UTF_8)));
                            } catch (IOException e) {
                                frames.add(Map.of("unparsable", text.toString()));
                            }
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        socket.sendText(firstFrame, true).get(30, TimeUnit.SECONDS);
        return frames;
    }

    private static Map<String, Object> next(java.util.concurrent.BlockingQueue<Map<String, Object>> frames) throws InterruptedException {
        Map<String, Object> frame = frames.poll(30, TimeUnit.SECONDS);
        assertTrue(frame != null, "no frame within 30 s");
        return frame;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> event(Map<String, Object> frame) {
        assertTrue(frame.get("event") instanceof Map, "an event frame: " + frame);
        return (Map<String, Object>) frame.get("event");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theEventStreamFiltersByChannelCountsEachFrameAndResumesFromAnId() throws Exception {
        var live = events("{\"type\":\"subscribe\",\"channels\":[\"sessions\"]}");
        Map<String, Object> subscribed = next(live);
        assertEquals("subscribed", subscribed.get("type"), subscribed.toString());
        assertEquals(List.of("sessions"), subscribed.get("channels"));
        sandbox.ok("spawn", "--name", "ev1", "--", "sh", "-c", "exit 4");
        assertEquals(4, sandbox.corral("wait", "ev1").exit());
        List<Map<String, Object>> seen = new ArrayList<>();
        while (seen.stream().noneMatch(e -> "session.exited".equals(e.get("type")))) {
            seen.add(event(next(live)));
        }
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i + 1, ((Number) seen.get(i).get("seq")).intValue(), "seq counts this connection's frames: " + seen);
            assertEquals("sessions", seen.get(i).get("channel"), "only the channel asked for: " + seen);
        }
        Map<String, Object> spawned = seen.get(0);
        assertEquals("session.spawned", spawned.get("type"), seen.toString());
        long spawnedId = ((Number) spawned.get("id")).longValue();

        // Resume after the spawn: the journal's events after that id come first, starting at seq 1 again.
        var resumed = events("{\"type\":\"subscribe\",\"channels\":[\"sessions\"],\"since\":" + spawnedId + "}");
        assertEquals("subscribed", next(resumed).get("type"));
        Map<String, Object> first = event(next(resumed));
        assertEquals(1, ((Number) first.get("seq")).intValue(), first.toString());
        assertEquals(seen.get(1).get("id"), first.get("id"), "the next event after " + spawnedId + ": " + first);

        var refused = events("{\"type\":\"subscribe\",\"channels\":[\"nope\"]}");
        Map<String, Object> error = next(refused);
        assertEquals("error", error.get("type"), error.toString());
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aNonLoopbackAddressNeedsTheInsecureFlag() throws IOException {
        Sandbox other = new Sandbox(Files.createDirectories(dir.resolve("other")));
        try {
            Process daemon = other.launchDaemon("--web", "0.0.0.0:0");
            Deadline.await(Duration.ofSeconds(60), () -> "corrald to refuse a non-loopback web address", () -> !daemon.isAlive());
            assertEquals(2, daemon.exitValue(), other.output(daemon));
            assertTrue(other.output(daemon).contains("loopback only"), other.output(daemon));
        } finally {
            other.close();
        }
    }

    /** "ok" when what the CLI shows settles as the browser expects within a few seconds, else why not. */
    private static String check(java.util.function.Supplier<String> problem) {
        try {
            Deadline.await(Duration.ofSeconds(15), problem::get, () -> problem.get() == null);
            return "ok";
        } catch (AssertionError e) {
            return String.valueOf(e.getMessage()).replace('\n', ' ');
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aBrowserSeesSessionsAttachesTypesResizesAndWatchesThemChange() throws Exception {
        Run.Result installed = Run.command(Map.of(), Duration.ofMinutes(10), List.of(Repo.home().resolve("src-test/web/install.sh").toString()));
        assertEquals(0, installed.exit(), "src-test/web/install.sh: " + installed);
        Path nodeModules = Path.of(installed.out().strip()).resolve("node_modules");
        Path screenshot = Repo.home().resolve("src-test/target/web-view.png");
        ProcessBuilder builder = new ProcessBuilder("node", Repo.home().resolve("src-test/web/browser.cjs").toString(),
                url, screenshot.toString()).redirectErrorStream(true);
        builder.environment().put("NODE_PATH", nodeModules.toString());
        Process browser = builder.start();
        List<String> seen = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(browser.getInputStream(), StandardCharsets.UTF_8));
             Writer in = new java.io.OutputStreamWriter(browser.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String line; (line = out.readLine()) != null; ) {
                seen.add(line);
                String answer = null;
                if (line.equals("waiting spawn")) {
                    // Output before anyone attaches: the browser must get it in the attach's redraw.
                    sandbox.ok("spawn", "--name", "web1", "--size", "100x30", "--", "sh", "-c",
                            "echo before-attach-$((6*7)); exec sh");
                    sandbox.awaitTail("web1", "before-attach-42");
                    answer = "web1";
                } else if (line.startsWith("waiting idle")) {
                    answer = "go";
                } else if (line.equals("waiting detached web1")) {
                    answer = check(() -> {
                        Map<String, Object> shown = sandbox.show("web1");
                        return "running".equals(shown.get("state")) && shown.get("attached") instanceof Number n && n.intValue() == 0 ? null
                                : "after the page's Detach the CLI shows " + shown;
                    });
                } else if (line.equals("waiting read-only web1")) {
                    sandbox.ok("send", "web1", "echo from-cli-$((3*3))");
                    answer = "from-cli-9";
                } else if (line.equals("waiting spawned web2")) {
                    answer = check(() -> "running".equals(sandbox.show("web2").get("state")) ? null
                            : "the session spawned from the page is, to the CLI, " + sandbox.show("web2"));
                } else if (line.equals("waiting killed web2")) {
                    answer = check(() -> "exited".equals(sandbox.show("web2").get("state")) ? null
                            : "the session killed from the page is, to the CLI, " + sandbox.show("web2"));
                }
                if (answer != null) {
                    in.write(answer + "\n");
                    in.flush();
                }
            }
        } finally {
            if (!browser.waitFor(3, TimeUnit.MINUTES)) {
                browser.destroyForcibly();
            }
        }
        String transcript = String.join("\n", seen);
        System.out.println("WebViewTest: the browser's steps: " + String.join(", ", seen));
        assertEquals(0, browser.exitValue(), "the browser steps:\n" + transcript + "\n" + sandbox.logTail(40));
        for (String step : List.of("refused-without-token", "refused-wrong-origin", "events-live", "session-appears", "attached",
                "redraw-on-attach", "typed-echo", "resized", "colour-shown", "nothing-refused", "status-change", "detached",
                "read-only", "exit-shown", "spawned-from-page", "killed-from-page")) {
            assertTrue(seen.contains("ok " + step), "step " + step + ":\n" + transcript);
        }
        assertEquals(3, sandbox.corral("wait", "web1").exit(), "the exit typed in the browser ended the session with 3");
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the page");
    }
}
