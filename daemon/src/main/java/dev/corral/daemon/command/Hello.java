package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Message;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import java.util.Map;

/** The handshake every connection starts with: agree on the protocol version. */
final class Hello implements Operation {
    private final Daemon daemon;

    Hello(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return Op.HELLO;
    }

    @Override
    public Reply run(Request request, Caller caller) {
        var version = request.args().get(Message.VERSION);
        if (version == null || !version.canConvertToInt()) {
            return Reply.error(ErrorCode.BAD_REQUEST,
                    "hello needs args.version, the protocol version the client speaks (this daemon speaks "
                            + Protocol.VERSION + ")");
        }
        if (version.intValue() != Protocol.VERSION) {
            return Reply.error(ErrorCode.VERSION_MISMATCH,
                    "client speaks protocol " + version.intValue() + " but corrald " + daemon.version()
                            + " speaks protocol " + Protocol.VERSION
                            + "; use a client and daemon from the same release (restart the daemon after upgrading)");
        }
        return Reply.ok(Map.of(
                Message.VERSION, Protocol.VERSION,
                Message.DAEMON, daemon.version(),
                "pid", daemon.pid()));
    }
}
