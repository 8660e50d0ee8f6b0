/**
 * One record per operation's result: the {@code result} object of a success response, field for
 * field and in this order. The daemon writes them with jackson-databind; the client reads the
 * same names as plain maps (streaming, for start-up speed).
 */
package dev.corral.protocol.result;
