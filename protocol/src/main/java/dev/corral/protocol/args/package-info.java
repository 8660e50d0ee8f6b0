/**
 * One record per operation's arguments: the {@code args} object of a request, field for field.
 * The daemon binds a request's {@code args} to its operation's record with jackson-databind
 * ({@link dev.corral.protocol.args.Requests} says which), refusing unknown fields, values of the
 * wrong JSON type (no coercion: {@code "force": "yes"} is not a boolean) and missing
 * {@link dev.corral.protocol.args.Required} fields as {@code BAD_REQUEST} naming the field. A
 * field that is absent or {@code null} takes the default its record's constructor gives it.
 * The client writes the same field names with the streaming API (its tests check them).
 */
package dev.corral.protocol.args;
