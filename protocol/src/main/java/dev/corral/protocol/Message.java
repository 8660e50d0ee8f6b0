package dev.corral.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The message shapes and their field names.
 *
 * <pre>
 * request   {"id": 7, "op": "ping", "args": {...}}
 * success   {"id": 7, "result": {...}}
 * failure   {"id": 7, "error": {"code": "UNKNOWN_OP", "message": "..."}}
 * </pre>
 */
public final class Message {
    public static final String ID = "id";
    public static final String OP = "op";
    public static final String ARGS = "args";
    public static final String RESULT = "result";
    public static final String ERROR = "error";
    public static final String CODE = "code";
    public static final String MESSAGE = "message";

    /** Hello arguments and result fields. */
    public static final String VERSION = "version";
    public static final String CLIENT = "client";
    public static final String DAEMON = "daemon";

    private Message() {}

    public static Map<String, Object> request(long id, String op, Map<String, ?> args) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put(ID, id);
        request.put(OP, op);
        if (args != null && !args.isEmpty()) {
            request.put(ARGS, args);
        }
        return request;
    }

    public static Map<String, Object> hello(long id, String client) {
        return request(id, Op.HELLO, Map.of(VERSION, Protocol.VERSION, CLIENT, client));
    }
}
