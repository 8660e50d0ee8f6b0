package dev.corral.protocol.args;

import java.util.regex.Pattern;

/** What the records' constructors check beyond JSON types: ranges and formats, each naming its field. */
public final class Check {
    /** A Docker image tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'. */
    public static final Pattern IMAGE_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /** A container's memory limit: a number with an optional unit b, k, m or g. */
    public static final Pattern MEMORY = Pattern.compile("[0-9]{1,12}[bkmgBKMG]?");
    /** A Docker image reference (name, tag, digest, registry). */
    public static final Pattern IMAGE_REFERENCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}");

    private Check() {}

    /** {@code value}, else {@code fallback} when absent; refused outside {@code min..max}. */
    public static int range(String field, Integer value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            throw new InvalidArgument(field, "args." + field + " must be a whole number from " + min + " to " + max);
        }
        return value;
    }

    /** An absent value stays absent; a present one must be {@code min} or more. */
    public static Integer atLeast(String field, Integer value, int min) {
        return value == null ? null : range(field, value, min, min, Integer.MAX_VALUE);
    }

    /** An image tag (or null, for absent). */
    public static String imageTag(String field, String tag) {
        if (tag != null && !IMAGE_TAG.matcher(tag).matches()) {
            throw new InvalidArgument(field, "args." + field + " '" + tag
                    + "' is not a tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'");
        }
        return tag;
    }

    /** An absolute path (or null, for absent): the daemon's working directory is not the client's. */
    public static String absolute(String field, String path) {
        if (path != null && !path.startsWith("/")) {
            throw new InvalidArgument(field, "args." + field + " must be an absolute path");
        }
        return path;
    }

    /** {@code value} when present and matching, else refused naming {@code what} it should be. */
    public static String matches(String field, String value, Pattern pattern, String what) {
        if (value != null && !pattern.matcher(value).matches()) {
            throw new InvalidArgument(field, "args." + field + " '" + value + "' is not " + what);
        }
        return value;
    }
}
