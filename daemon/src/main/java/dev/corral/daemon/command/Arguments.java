package dev.corral.daemon.command;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.state.StrictJson;
import dev.corral.protocol.ErrorCode;
import dev.corral.protocol.args.InvalidArgument;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Binds a request's {@code args} to its operation's record ({@code dev.corral.protocol.args})
 * with Jackson's own strictness ({@link StrictJson}): an unknown field, a value of another JSON type (no scalar
 * coercion: {@code "force": "yes"} is not {@code true}, {@code "cols": "80"} not a number), a
 * missing required field or a value its record refuses is a BAD_REQUEST naming the field.
 */
public final class Arguments {
    private static final ObjectMapper STRICT = StrictJson.mapper();

    private Arguments() {}

    /** {@code args} of operation {@code op} as a {@code type}, or the refusal naming what is wrong. */
    public static <A> A bind(String op, JsonNode args, Class<A> type) throws Refusal {
        try {
            return STRICT.treeToValue(args, type);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidArgument invalid) {
                throw new Refusal(ErrorCode.BAD_REQUEST, invalid.getMessage());
            }
            throw new Refusal(ErrorCode.BAD_REQUEST, "'" + op + "' cannot take these arguments: " + e.getOriginalMessage());
        } catch (UnrecognizedPropertyException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "args." + field(e) + " is not an argument of '" + op + "'"
                    + known(e.getKnownPropertyIds()));
        } catch (InvalidNullException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "args." + field(e) + " must not be null");
        } catch (MismatchedInputException e) {
            if (e.getOriginalMessage().startsWith("Missing required")) {
                throw new Refusal(ErrorCode.BAD_REQUEST, "'" + op + "' needs args." + field(e));
            }
            throw new Refusal(ErrorCode.BAD_REQUEST, "args." + field(e) + " must be " + expected(e.getTargetType())
                    + ", not " + given(args, e));
        } catch (JsonMappingException e) {
            // A number out of its type's range, say.
            throw new Refusal(ErrorCode.BAD_REQUEST, "args." + field(e) + " is out of range: " + e.getOriginalMessage());
        } catch (JacksonException | IllegalArgumentException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "'" + op + "' cannot take these arguments: " + e.getMessage());
        }
    }

    /** The field's path below {@code args}: {@code force}, {@code env.HOME}, {@code command[2]}. */
    static String field(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String known(Collection<Object> names) {
        if (names == null || names.isEmpty()) {
            return " (it takes none)";
        }
        return " (it takes " + names.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean (true or false)";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || Record.class.isAssignableFrom(type)) {
            return "an object";
        }
        return "a " + type.getSimpleName();
    }

    /** What the request carried at the failing field, by JSON type. */
    private static String given(JsonNode args, JsonMappingException e) {
        JsonNode node = args;
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (node == null) {
                break;
            }
            node = reference.getFieldName() != null ? node.get(reference.getFieldName()) : node.get(reference.getIndex());
        }
        if (node == null) {
            return "that";
        }
        String type = switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
        return node.isValueNode() && !node.isNull() ? type + " (" + abbreviated(node.toString()) + ")" : type;
    }

    private static String abbreviated(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
