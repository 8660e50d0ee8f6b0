package dev.corral.daemon.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One decoded request frame: the id to echo, the operation's name and its arguments. */
public record Request(JsonNode id, String op, ObjectNode args) {
    public Request {
        if (args == null) {
            args = JsonNodeFactory.instance.objectNode();
        }
    }
}
