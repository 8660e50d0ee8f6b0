package dev.corral.protocol.args;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * {@code hello}: the protocol version the client speaks and its name. The one record that
 * ignores fields it does not know: a newer client's hello must still get VERSION_MISMATCH.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HelloArgs(@Required Integer version, String client) {}
