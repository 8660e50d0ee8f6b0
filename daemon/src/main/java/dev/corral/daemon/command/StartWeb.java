package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.WebStartArgs;
import dev.corral.protocol.result.WebStarted;
import java.io.IOException;

/**
 * Starts the web view on a running daemon (loopback only; any other address needs corrald's own
 * {@code --web-insecure-bind}) and answers its URL with the token; a running one's URL again.
 */
final class StartWeb extends BoundOperation<WebStartArgs> {
    private final Daemon daemon;

    StartWeb(Daemon daemon) {
        super(WebStartArgs.class);
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
    Reply serve(WebStartArgs args, Caller caller) {
        try {
            String url = daemon.startWeb(args.address(), false);
            return Reply.ok(new WebStarted(url,
                    daemon.webListening().map(at -> at.getHostString() + ":" + at.getPort()).orElse(null)));
        } catch (IllegalArgumentException e) {
            return Reply.error(ErrorCode.BAD_REQUEST, e.getMessage());
        } catch (IOException e) {
            return Reply.error(ErrorCode.UNAVAILABLE, e.getMessage());
        }
    }
}
