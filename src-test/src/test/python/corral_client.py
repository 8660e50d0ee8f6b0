#!/usr/bin/env python3
"""A corral client written from protocol/PROTOCOL.md alone, with only the standard library.

It exists to prove that PROTOCOL.md is enough for a non-Java client: it resolves the socket,
frames requests, says hello and runs one command.

    corral_client.py [--socket PATH] ping     prints "pong corrald <version> protocol <n>"
    corral_client.py [--socket PATH] status   prints the daemon.status result as JSON
    corral_client.py [--socket PATH] spawn NAME -- CMD [ARG...]
                                              starts CMD in session NAME (cwd: the current
                                              directory) and prints the session's name
    corral_client.py [--socket PATH] attach NAME
                                              attaches read-only (stream mode, PROTOCOL.md
                                              section 7) and copies the session's output to
                                              stdout until it exits or the daemon detaches
    corral_client.py [--socket PATH] events [--channel C]... [--since ID] [--count N]
                                              subscribes (PROTOCOL.md section 8) and prints each
                                              event as one JSON object a line; stops after N
                                              events, else when the daemon closes (exit 5)

Exit status: 0 success, 1 the daemon answered with an error (printed as "error CODE: message"
on stderr), 5 no daemon answers on the socket or it closed the connection. attach exits with
the session's exit code when it ends, and 0 when the daemon detaches the client.
"""
import argparse
import json
import os
import socket
import struct
import sys

PROTOCOL_VERSION = 4
MAX_FRAME_BYTES = 4 * 1024 * 1024
STREAM_DATA, STREAM_RESIZE, STREAM_DETACH, STREAM_EXIT = 1, 2, 3, 4
STREAM_MAX_PAYLOAD = 64 * 1024
EXIT_ERROR = 1
EXIT_UNREACHABLE = 5


class Unreachable(Exception):
    """No daemon listens, or the connection ended before an answer."""


class DaemonError(Exception):
    """The daemon answered with an error frame."""


def present(value):
    return value is not None and value.strip() != ""


def resolve_socket(flag, env):
    """PROTOCOL.md section 1.1: --socket, CORRAL_SOCKET, $XDG_RUNTIME_DIR, /tmp/corral-UID."""
    if present(flag):
        return os.path.abspath(flag)
    if present(env.get("CORRAL_SOCKET")):
        return os.path.abspath(env["CORRAL_SOCKET"])
    if present(env.get("XDG_RUNTIME_DIR")):
        return os.path.join(env["XDG_RUNTIME_DIR"], "corral", "corral.sock")
    try:
        uid = os.stat("/proc/self").st_uid
    except OSError:
        uid = -1
    return f"/tmp/corral-{uid}/corral.sock"


class Connection:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(path)
        except OSError as e:
            self.sock.close()
            raise Unreachable(f"corrald is not running on {path}: {e.strerror or e}")
        self.next_id = 1

    def send_frame(self, message):
        payload = json.dumps(message, separators=(",", ":")).encode("utf-8")
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)

    def read_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise Unreachable("corrald closed the connection without answering")
            data += chunk
        return data

    def read_frame(self):
        (length,) = struct.unpack(">I", self.read_exactly(4))
        if length > MAX_FRAME_BYTES:
            raise Unreachable(f"corrald announced a frame of {length} bytes")
        return json.loads(self.read_exactly(length).decode("utf-8"))

    def call(self, op, args=None):
        """Sends one request and returns its result; an error frame raises DaemonError."""
        request_id, self.next_id = self.next_id, self.next_id + 1
        request = {"id": request_id, "op": op}
        if args is not None:
            request["args"] = args
        try:
            self.send_frame(request)
            response = self.read_frame()
        except OSError as e:
            raise Unreachable(f"lost the connection to corrald: {e}")
        if "error" in response:
            raise DaemonError(f"error {response['error'].get('code')}: {response['error'].get('message')}")
        if response.get("id") != request_id:
            raise DaemonError(f"error INTERNAL: answer for id {response.get('id')!r}, expected {request_id}")
        return response["result"]

    def read_stream_message(self):
        """Stream mode (after session.attach): 1 byte type, 4 bytes big-endian length, payload."""
        kind, length = struct.unpack(">BI", self.read_exactly(5))
        if length > STREAM_MAX_PAYLOAD:
            raise Unreachable(f"corrald announced a stream message of {length} bytes")
        return kind, self.read_exactly(length)


def attach(connection, name):
    """Copies a session's output (replay, then live) to stdout; returns the exit status to use."""
    connection.call("session.attach", {"name": name, "readOnly": True})
    out = sys.stdout.buffer
    while True:
        try:
            kind, payload = connection.read_stream_message()
        except OSError as e:
            raise Unreachable(f"lost the connection to corrald: {e}")
        if kind == STREAM_DATA:
            out.write(payload)
            out.flush()
        elif kind == STREAM_EXIT:
            return json.loads(payload.decode("utf-8"))["exitCode"]
        elif kind == STREAM_DETACH:
            print(f"corral_client: detached: {payload.decode('utf-8', 'replace')}", file=sys.stderr)
            return 0


def events(connection, channels, since, count):
    """Prints events (replayed, then live) one JSON object a line; returns the exit status."""
    args = {}
    if channels:
        args["channels"] = channels
    if since is not None:
        args["since"] = since
    connection.call("events.subscribe", args)
    printed = 0
    while count is None or printed < count:
        try:
            frame = connection.read_frame()
        except OSError as e:
            raise Unreachable(f"lost the connection to corrald: {e}")
        print(json.dumps(frame["event"], separators=(",", ":")), flush=True)
        printed += 1
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="Minimal corral client (see protocol/PROTOCOL.md).")
    parser.add_argument("--socket", help="socket path (default: $CORRAL_SOCKET, then the default path)")
    parser.add_argument("command", choices=["ping", "status", "spawn", "attach", "events"])
    parser.add_argument("name", nargs="?", help="session name (spawn, attach)")
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="-- CMD [ARG...] (spawn)")
    options = parser.parse_args(argv)
    command = options.argv[1:] if options.argv[:1] == ["--"] else options.argv
    if options.command in ("spawn", "attach") and not options.name:
        parser.error(f"{options.command} needs a session NAME")
    if options.command == "spawn" and not command:
        parser.error("spawn needs a command: spawn NAME -- CMD [ARG...]")
    if options.command == "events":
        events_parser = argparse.ArgumentParser(prog="corral_client.py events")
        events_parser.add_argument("--channel", action="append", help="only this channel (repeatable)")
        events_parser.add_argument("--since", type=int, help="replay the journal's events after this id first")
        events_parser.add_argument("--count", type=int, help="stop after this many events")
        wanted = events_parser.parse_args(([options.name] if options.name else []) + options.argv)
    try:
        connection = Connection(resolve_socket(options.socket, os.environ))
        try:
            connection.call("hello", {"version": PROTOCOL_VERSION, "client": "corral_client.py"})
            if options.command == "ping":
                result = connection.call("ping")
                print(f"pong corrald {result['daemon']} protocol {result['protocol']}")
            elif options.command == "status":
                print(json.dumps(connection.call("daemon.status"), indent=2))
            elif options.command == "spawn":
                args = {"name": options.name, "command": command, "cwd": os.getcwd()}
                print(connection.call("session.spawn", args)["name"])
            elif options.command == "events":
                return events(connection, wanted.channel, wanted.since, wanted.count)
            else:
                return attach(connection, options.name)
        finally:
            connection.sock.close()
    except Unreachable as e:
        print(f"corral_client: {e}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except DaemonError as e:
        print(e, file=sys.stderr)
        return EXIT_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
