package dev.corral.daemon.command;

import dev.corral.daemon.Daemon;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.Op;
import dev.corral.protocol.Protocol;
import dev.corral.protocol.args.HelloArgs;
import dev.corral.protocol.result.Welcome;

/** The handshake every connection starts with: agree on the protocol version. */
final class Hello extends BoundOperation<HelloArgs> {
    private final Daemon daemon;

    Hello(Daemon daemon) {
        super(HelloArgs.class);
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return Op.HELLO;
    }

    @Override
    Reply serve(HelloArgs args, Caller caller) {
        if (args.version() != Protocol.VERSION) {
            return Reply.error(ErrorCode.VERSION_MISMATCH,
                    "client speaks protocol " + args.version() + " but corrald " + daemon.version()
                            + " speaks protocol " + Protocol.VERSION
                            + "; use a client and daemon from the same release (restart the daemon after upgrading)");
        }
        return Reply.ok(new Welcome(Protocol.VERSION, daemon.version(), daemon.pid()));
    }
}
