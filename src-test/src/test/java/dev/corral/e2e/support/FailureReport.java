package dev.corral.e2e.support;

import dev.corral.protocol.Op;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When a test fails or times out (registered for every test through the service file and
 * {@code junit.jupiter.extensions.autodetection.enabled}), prints, before any clean-up runs, each
 * sandbox of the test (open, or closed by the timeout's interruption) its daemon log tail and
 * the screen of each of its sessions, so that a failure in CI
 * says what the daemon and the programs were doing.
 */
public final class FailureReport implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler,
        BeforeAllCallback, BeforeEachCallback {
    private static final int LOG_LINES = 40;
    private static final int SCREEN_BYTES = 2000;

    @Override
    public void beforeAll(ExtensionContext context) {
        Sandbox.forgetClosed();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Sandbox.forgetClosed();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        report(context, failure);
        throw failure;
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        report(context, failure);
        throw failure;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        report(context, failure);
        throw failure;
    }

    private static void report(ExtensionContext context, Throwable failure) {
        StringBuilder out = new StringBuilder("\n===== ").append(context.getDisplayName()).append(" failed: ")
                .append(failure).append('\n');
        for (Sandbox sandbox : Sandbox.recent()) {
            out.append("----- sandbox ").append(sandbox.dir()).append('\n').append(sandbox.logTail(LOG_LINES)).append('\n');
            out.append(sandbox.screens());
        }
        out.append("===== end of report\n");
        System.err.print(out);
        System.err.flush();
    }

    /** Each session's tail, asked over the socket (no client start-up, every read bounded). */
    @SuppressWarnings("unchecked")
    static String screens(Sandbox sandbox) {
        if (!sandbox.socketExists()) {
            return "(no daemon socket)\n";
        }
        StringBuilder out = new StringBuilder();
        try (RawPeer peer = RawPeer.connect(sandbox.socket())) {
            peer.hello();
            Map<String, Object> list = (Map<String, Object>) peer.request(Op.LIST, Map.of("all", true)).get("result");
            List<Map<String, Object>> sessions = list == null ? List.of() : (List<Map<String, Object>>) list.get("sessions");
            for (Map<String, Object> session : sessions) {
                String name = String.valueOf(session.get("name"));
                Map<String, Object> tail = (Map<String, Object>) peer.request(Op.TAIL,
                        Map.of("name", name, "bytes", SCREEN_BYTES)).get("result");
                out.append("--- session ").append(name).append(" (").append(session.get("kind")).append(", ")
                        .append(session.get("state")).append(") screen:\n")
                        .append(tail == null ? "(no tail)" : tail.get("output")).append('\n');
            }
        } catch (IOException | AssertionError | RuntimeException e) {
            out.append("(could not read the sessions: ").append(e).append(")\n");
        }
        return out.toString();
    }
}
