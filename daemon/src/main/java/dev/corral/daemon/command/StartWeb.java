package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the web view on a running daemon (loopback only; any other address needs corrald's own
 * {@code --web-insecure-bind}) and answers its URL with the token; a running one's URL again.
 */
final class StartWeb implements Operation {
    private final Daemon daemon;

    StartWeb(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return Op.WEB_START;
    }

    @Override
    public Execution execution() {
        return Execution.WORKER;
    }

    @Override
    public Reply run(Request request, Caller caller) {
        var given = request.args().get("address");
        if (given != null && !given.isNull() && !given.isTextual()) {
            return Reply.error(ErrorCode.BAD_REQUEST, "args.address must be a string HOST:PORT");
        }
        String address = given == null || given.isNull() ? "127.0.0.1:0" : given.asText();
        try {
            String url = daemon.startWeb(address, false);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("url", url);
            result.put("address", daemon.webListening().map(at -> at.getHostString() + ":" + at.getPort()).orElse(null));
            return Reply.ok(result);
        } catch (IllegalArgumentException e) {
            return Reply.error(ErrorCode.BAD_REQUEST, e.getMessage());
        } catch (IOException e) {
            return Reply.error(ErrorCode.UNAVAILABLE, e.getMessage());
        }
    }
}
