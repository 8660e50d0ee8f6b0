package dev.corral.daemon.session;

import dev.corral.protocol.ErrorCode;

/** An anticipated refusal from the session layer, carried to the caller as an error reply. */
public final class Refusal extends Exception {
    private final ErrorCode code;

    public Refusal(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
