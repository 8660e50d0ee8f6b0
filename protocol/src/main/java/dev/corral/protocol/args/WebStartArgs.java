package dev.corral.protocol.args;

/** {@code web.start}: HOST:PORT to listen on, a loopback port of the system's choosing when absent. */
public record WebStartArgs(String address) {
    public WebStartArgs {
        address = address == null ? "127.0.0.1:0" : address;
    }
}
