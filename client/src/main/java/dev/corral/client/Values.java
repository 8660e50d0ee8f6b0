package dev.corral.client;

import dev.corral.protocol.args.Check;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the values a client can check before it asks the daemon: a bad one is
 * a usage error (exit 2) worded in the CLI's terms ("Invalid value for option '--size': …"),
 * never a protocol message about {@code args.cols}. The bounds are the daemon's own.
 */
final class Values {
    /** The daemon's bounds on a terminal's columns and rows. */
    static final int MAX_TERMINAL_SIDE = 1000;
    /** docker's memory sizes as corrald passes them on: digits and an optional b, k, m or g. */
    /** As corrald checks them: the protocol's own patterns. */
    private static final Pattern MEMORY = Check.MEMORY;
    private static final Pattern TAG = Check.IMAGE_TAG;

    private Values() {}

    /** A terminal size, COLSxROWS. */
    record TerminalSize(int cols, int rows) {
        @Override
        public String toString() {
            return cols + "x" + rows;
        }
    }

    static final class TerminalSizeConverter implements ITypeConverter<TerminalSize> {
        @Override
        public TerminalSize convert(String value) {
            String[] dims = value.toLowerCase().split("x", -1);
            if (dims.length != 2 || !dims[0].matches("[0-9]+") || !dims[1].matches("[0-9]+")) {
                throw new TypeConversionException("'" + value + "' is not COLSxROWS, for example 120x40");
            }
            long cols = parse(dims[0]);
            long rows = parse(dims[1]);
            if (cols < 1 || rows < 1 || cols > MAX_TERMINAL_SIDE || rows > MAX_TERMINAL_SIDE) {
                throw new TypeConversionException("'" + value + "': columns and rows must each be 1 to " + MAX_TERMINAL_SIDE);
            }
            return new TerminalSize((int) cols, (int) rows);
        }

        private static long parse(String digits) {
            // More digits than a long holds is simply too big.
            return digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
        }
    }

    /** A count or a number of seconds: 0 or more. */
    static final class NonNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int number;
            try {
                number = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (number < 0) {
                throw new TypeConversionException("'" + value + "' is negative; give 0 or more");
            }
            return number;
        }
    }

    static final class MemorySize implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!MEMORY.matcher(value).matches()) {
                throw new TypeConversionException("'" + value + "' is not a size; give a number with b, k, m or g, for example 4g or 512m");
            }
            return value;
        }
    }

    static final class ImageTag implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!TAG.matcher(value).matches()) {
                throw new TypeConversionException("'" + value + "' is not an image tag; use letters, digits, '_', '.' and '-'"
                        + " (not first), at most 128");
            }
            return value;
        }
    }
}
