#!/usr/bin/env python3
"""Test helper for ServiceTest: plays the service manager's side of sd_notify, and reads a
LaunchAgent plist the way launchd would need it.

  service_helper.py notify PATH       bind an AF_UNIX datagram socket at PATH, print "bound", then
                                      one JSON string per datagram received, until STOPPING=1 (60 s at most)
  service_helper.py plist FILE        parse FILE with plistlib and print the keys launchd needs as JSON;
                                      exit 1 naming what is missing or wrong
"""
import json
import os
import plistlib
import socket
import sys
import time


def notify(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    print("bound", flush=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        server.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            data = server.recv(65536)
        except socket.timeout:
            break
        text = data.decode("utf-8")
        print(json.dumps(text), flush=True)
        if "STOPPING=1" in text.split("\n"):
            return 0
    print(json.dumps("TIMEOUT: no STOPPING=1 within 60 s"), flush=True)
    return 1


def plist(file):
    with open(file, "rb") as f:
        agent = plistlib.load(f)
    problems = []
    if agent.get("Label") != "dev.corral.corrald":
        problems.append("Label is %r, not dev.corral.corrald" % agent.get("Label"))
    program = agent.get("ProgramArguments") or []
    if not program or not os.path.isabs(program[0]) or not os.access(program[0], os.X_OK):
        problems.append("ProgramArguments[0] is not an executable absolute path: %r" % (program[:1],))
    if not ("Sockets" in agent or agent.get("KeepAlive")):
        problems.append("neither Sockets nor KeepAlive: launchd would never start it again")
    for key in ("StandardOutPath", "StandardErrorPath"):
        if not os.path.isabs(agent.get(key, "")):
            problems.append("%s is not an absolute path: %r" % (key, agent.get(key)))
    text = open(file, encoding="utf-8").read()
    if "@CORRAL_" in text:
        problems.append("a placeholder is left in the file")
    if problems:
        print("; ".join(problems), file=sys.stderr)
        return 1
    print(json.dumps({"label": agent["Label"], "program": program, "keepAlive": agent.get("KeepAlive"),
                      "runAtLoad": agent.get("RunAtLoad"), "stdout": agent["StandardOutPath"],
                      "stderr": agent["StandardErrorPath"], "env": agent.get("EnvironmentVariables", {})}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("notify", "plist"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(notify(sys.argv[2]) if sys.argv[1] == "notify" else plist(sys.argv[2]))
