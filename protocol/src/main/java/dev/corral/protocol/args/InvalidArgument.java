package dev.corral.protocol.args;

/**
 * A value of the right JSON type that its record still refuses (a size out of range, a tag that is
 * not a tag), thrown from the record's constructor; the daemon answers it as BAD_REQUEST.
 */
public final class InvalidArgument extends IllegalArgumentException {
    private final String field;

    public InvalidArgument(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The {@code args} field at fault. */
    public String field() {
        return field;
    }
}
