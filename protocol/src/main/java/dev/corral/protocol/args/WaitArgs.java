package dev.corral.protocol.args;

/** {@code session.wait}: {@code timeoutSeconds} 0 (the default) waits for as long as it takes. */
public record WaitArgs(@Required String name, Integer timeoutSeconds) {
    public WaitArgs {
        timeoutSeconds = Check.range("timeoutSeconds", timeoutSeconds, 0, 0, Integer.MAX_VALUE);
    }
}
