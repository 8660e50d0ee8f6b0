package dev.corral.daemon.container;

import dev.corral.protocol.ErrorCode;

/** An anticipated refusal from the container layer (no docker, no engine, no image), with its stable code. */
public final class EngineException extends Exception {
    private final ErrorCode code;

    public EngineException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
