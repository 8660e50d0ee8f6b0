package dev.corral.protocol.args;

/** {@code session.send}: text typed into the session, then Enter with {@code enter}. */
public record SendArgs(@Required String name, String text, boolean enter) {
    public SendArgs {
        text = text == null ? "" : text;
    }
}
