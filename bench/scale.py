#!/usr/bin/env python3
"""The body of bench/scale.sh (run it through that script, which sets the SCALE_* variables).

Three systems, the same workload, one after another in the same run: corral (a private corrald,
requests as length-prefixed JSON frames on its socket, PROTOCOL.md), tmux (a private server,
`tmux new-session -d`) and dtach (`dtach -n`, one master process per session).
"""
import datetime
import json
import os
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

HOME = os.environ["SCALE_HOME"]
TMP = os.environ["SCALE_TMP"]
N = int(os.environ["SCALE_SESSIONS"])
BLOCK = int(os.environ["SCALE_BLOCK"])
SYSTEMS = [s for s in os.environ["SCALE_SYSTEMS"].split(",") if s]
IDLE = int(os.environ["SCALE_IDLE"])
SETTLE = int(os.environ["SCALE_SETTLE"])
JFR = os.environ.get("SCALE_JFR") or None
OUT = os.environ["SCALE_OUT"]
TICK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
PROGRAM = ["sleep", "1000000"]
PROTOCOL_VERSION = 4


def say(*a):
    print("scale:", *a, file=sys.stderr, flush=True)


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    pos = p / 100 * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def status_kib(pid, key):
    for line in read(f"/proc/{pid}/status").decode(errors="replace").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def cpu_ticks(pid):
    raw = read(f"/proc/{pid}/stat")
    if not raw:
        return 0
    fields = raw[raw.rfind(b")") + 2:].split()
    return int(fields[11]) + int(fields[12])      # utime + stime


def children_of():
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            raw = read(f"/proc/{d}/stat")
            if raw:
                kids.setdefault(int(raw[raw.rfind(b")") + 2:].split()[1]), []).append(int(d))
    return kids


def run_ms(argv):
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = (time.perf_counter() - t0) * 1000
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {p.returncode}: {p.stderr.decode(errors='replace').strip()}")
    return dt


# ---- corral: the protocol, from PROTOCOL.md

class DaemonError(Exception):
    pass


class Connection:
    def __init__(self, path, timeout=120):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.next_id = 1

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise DaemonError("corrald closed the connection")
            data += chunk
        return data

    def call(self, op, args=None):
        rid, self.next_id = self.next_id, self.next_id + 1
        payload = json.dumps({"id": rid, "op": op, "args": args or {}}, separators=(",", ":")).encode()
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)
        (length,) = struct.unpack(">I", self._exactly(4))
        answer = json.loads(self._exactly(length))
        if "error" in answer:
            raise DaemonError(f"{op}: {answer['error'].get('code')}: {answer['error'].get('message')}")
        return answer["result"]

    def close(self):
        self.sock.close()


class Corral:
    name = "corral"
    spawns_via = "session.spawn over the socket (no client process)"

    def __init__(self):
        self.sock = os.path.join(TMP, "corral", "corral.sock")
        self.state = os.path.join(TMP, "corral", "state")
        os.makedirs(self.state, exist_ok=True)
        self.proc = None
        self.conn = None
        self.pid = None
        self.cache = "none"
        self.launch_ms = None

    def version(self):
        p = subprocess.run([os.path.join(HOME, "bin", "corrald"), "--version"], capture_output=True, text=True)
        return (p.stdout or p.stderr).strip().splitlines()[0] if (p.stdout or p.stderr) else "corrald ?"

    def _launch(self):
        env = dict(os.environ)
        if JFR:
            env["CORRAL_CDS"] = "off"
            env["CORRAL_DAEMON_JAVA_OPTS"] = (env.get("CORRAL_DAEMON_JAVA_OPTS", "")
                                              + f" -XX:StartFlightRecording=filename={JFR},settings=profile").strip()
        log = open(os.path.join(TMP, "corral", "daemon.log"), "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([os.path.join(HOME, "bin", "corrald"), "--socket", self.sock, "--state-dir", self.state,
                                      "--max-sessions", str(N + BLOCK + 16), "--detached"],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"corrald exited {self.proc.returncode}: see {log.name}")
            try:
                c = Connection(self.sock)
                hello = c.call("hello", {"version": PROTOCOL_VERSION, "client": "bench/scale.sh"})
                c.call("ping")
                break
            except (OSError, DaemonError):
                if time.monotonic() > deadline:
                    raise RuntimeError("corrald did not answer within 60 s")
                time.sleep(0.002)
        self.launch_ms = (time.perf_counter() - t0) * 1000
        self.conn, self.pid = c, hello["pid"]
        argv = read(f"/proc/{self.pid}/cmdline").split(b"\0")
        if any(a.startswith(b"-XX:AOTCache=") for a in argv):
            self.cache = "AOT cache"
        elif any(a.startswith(b"-XX:SharedArchiveFile=") for a in argv):
            self.cache = "CDS archive"
        elif any(a.startswith(b"-XX:AOTMode=record") or a.startswith(b"-XX:ArchiveClassesAtExit") for a in argv):
            self.cache = "none (this run records one)"

    def _stop(self):
        try:
            self.conn.call("shutdown")
        except (OSError, DaemonError):
            pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def start(self):
        self._launch()
        if self.cache.startswith("none") and not JFR:
            # The first daemon of a build records what its AOT cache / CDS archive should hold and
            # the archive is made after it exits: measure the daemon a user gets from then on.
            say("corrald has no class-data archive yet: bench/daemon-cache.sh makes it, then the measured start")
            self._stop()
            subprocess.run([os.path.join(HOME, "bench", "daemon-cache.sh")], stdout=subprocess.DEVNULL, check=True)
            self._launch()
        say(f"corrald pid {self.pid}, answered {self.launch_ms:.0f} ms after launch ({self.cache})")

    def spawn(self, i):
        t0 = time.perf_counter()
        self.conn.call("session.spawn", {"name": f"s{i}", "command": PROGRAM, "cwd": TMP, "cols": 80, "rows": 24})
        return (time.perf_counter() - t0) * 1000

    def list_ms(self):
        t0 = time.perf_counter()
        listed = self.conn.call("session.list")["sessions"]
        return (time.perf_counter() - t0) * 1000, len(listed)

    def remove(self, i):
        self.conn.call("session.remove", {"name": f"s{i}", "force": True})

    def pids(self):
        return [self.pid]

    def stop(self):
        if self.proc is not None:
            self._stop()


class Tmux:
    name = "tmux"
    spawns_via = "`tmux new-session -d` (one client process each)"

    def __init__(self):
        self.sock = os.path.join(TMP, "tmux.sock")
        self.conf = os.path.join(TMP, "tmux.conf")
        with open(self.conf, "w") as f:
            f.write("set -g exit-empty off\n")     # the server stays when the last session goes (RSS after removal)
        self.base = ["tmux", "-S", self.sock, "-f", self.conf]
        self.pid = None
        self.launch_ms = None
        self.cache = "-"

    def version(self):
        return subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip()

    def start(self):
        t0 = time.perf_counter()
        run_ms(self.base + ["start-server", ";", "new-session", "-d", "-s", "probe", "true"])
        self.launch_ms = (time.perf_counter() - t0) * 1000
        out = subprocess.run(self.base + ["display-message", "-p", "#{pid}"], capture_output=True, text=True)
        self.pid = int(out.stdout.strip())

    def spawn(self, i):
        return run_ms(self.base + ["new-session", "-d", "-s", f"s{i}", "-x", "80", "-y", "24", *PROGRAM])

    def list_ms(self):
        t0 = time.perf_counter()
        out = subprocess.run(self.base + ["list-sessions"], capture_output=True, text=True, check=True).stdout
        return (time.perf_counter() - t0) * 1000, len(out.splitlines())

    def remove(self, i):
        run_ms(self.base + ["kill-session", "-t", f"s{i}"])

    def pids(self):
        return [self.pid]

    def stop(self):
        subprocess.run(self.base + ["kill-server"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Dtach:
    name = "dtach"
    spawns_via = "`dtach -n` (one client process each, one master per session)"

    def __init__(self):
        self.dir = os.path.join(TMP, "dtach")
        os.makedirs(self.dir)
        self.launch_ms = None
        self.cache = "-"
        self.masters = {}

    def version(self):
        v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "dtach"], capture_output=True, text=True).stdout.strip()
        return f"dtach {v or '?'}"

    def start(self):
        pass

    def spawn(self, i):
        return run_ms(["dtach", "-n", os.path.join(self.dir, f"s{i}"), *PROGRAM])

    def list_ms(self):
        t0 = time.perf_counter()
        out = subprocess.run(["ls", "-1", self.dir], capture_output=True, text=True, check=True).stdout
        return (time.perf_counter() - t0) * 1000, len(out.splitlines())

    def _find_masters(self):
        prefix = (self.dir + "/").encode()
        self.masters = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                argv = read(f"/proc/{d}/cmdline").split(b"\0")
                if len(argv) > 2 and argv[0].endswith(b"dtach") and argv[1] == b"-n" and argv[2].startswith(prefix):
                    self.masters[argv[2][len(prefix):].decode()] = int(d)

    def remove(self, i):
        if f"s{i}" not in self.masters:
            self._find_masters()
        pid = self.masters.pop(f"s{i}", None)
        if pid:
            os.kill(pid, signal.SIGTERM)      # the master goes, its program gets the hangup
        try:
            os.unlink(os.path.join(self.dir, f"s{i}"))
        except FileNotFoundError:
            pass

    def pids(self):
        self._find_masters()
        return list(self.masters.values())

    def stop(self):
        self._find_masters()
        kids = children_of()
        for pid in self.masters.values():
            for victim in [pid] + kids.get(pid, []):
                try:
                    os.kill(victim, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def footprint(system):
    """RSS (KiB) and threads summed over the system's own processes (not its programs)."""
    pids = system.pids()
    return {"rss": sum(status_kib(p, "VmRSS") for p in pids), "threads": sum(status_kib(p, "Threads") for p in pids),
            "procs": len(pids)}


def idle_cpu(system, seconds):
    pids = system.pids()
    before = sum(cpu_ticks(p) for p in pids)
    time.sleep(seconds)
    return (sum(cpu_ticks(p) for p in pids) - before) / TICK / seconds * 100


def measure(system):
    r = {"name": system.name, "version": system.version(), "via": system.spawns_via}
    system.start()
    r["launch_ms"], r["cache"] = system.launch_ms, system.cache
    time.sleep(2)
    r["at0"] = footprint(system) if system.name != "dtach" else {"rss": 0, "threads": 0, "procs": 0}
    times = []
    r["at"] = {}
    t_all = time.perf_counter()
    for i in range(1, N + 1):
        times.append(system.spawn(i))
        if i % BLOCK == 0 or i == N:
            r["at"][i] = footprint(system)
            say(f"{system.name}: {i} sessions, block p50 {statistics.median(times[-BLOCK:]):.2f} ms, "
                f"RSS {r['at'][i]['rss'] / 1024:.1f} MiB, threads {r['at'][i]['threads']}")
    r["spawn_total_s"] = time.perf_counter() - t_all
    r["spawn"] = times
    lists = [system.list_ms() for _ in range(5)]
    r["list_ms"], r["listed"] = statistics.median(l[0] for l in lists), lists[-1][1]
    time.sleep(2)
    r["idle_cpu_pct"] = idle_cpu(system, IDLE)
    r["atN"] = footprint(system)
    t0 = time.perf_counter()
    for i in range(1, N + 1):
        system.remove(i)
    r["remove_total_s"] = time.perf_counter() - t0
    time.sleep(1)
    r["removed_now"] = footprint(system)
    time.sleep(max(0, SETTLE - 1))
    r["removed_settled"] = footprint(system)
    # Warm: the same daemon/server, now empty again, spawns one more block.
    warm = [system.spawn(N + i) for i in range(1, BLOCK + 1)]
    r["warm"] = warm
    for i in range(1, BLOCK + 1):
        system.remove(N + i)
    return r


def floor_ms():
    return statistics.median(run_ms(["/bin/true"]) for _ in range(50))


def main():
    load_before = open("/proc/loadavg").read().split()[:3]
    started = datetime.datetime.now(datetime.timezone.utc)
    floor = floor_ms()
    results = {}
    makers = {"corral": Corral, "tmux": Tmux, "dtach": Dtach}
    for name in SYSTEMS:
        if name not in makers:
            sys.exit(f"scale.sh: unknown system {name} (corral, tmux, dtach)")
        system = makers[name]()
        say(f"{name}: {N} sessions ...")
        try:
            results[name] = measure(system)
        finally:
            system.stop()
    load_after = open("/proc/loadavg").read().split()[:3]
    text = report(results, floor, started, load_before, load_after)
    with open(OUT, "w") as f:
        f.write(text)
    print(text)
    say(f"written to {os.path.relpath(OUT, HOME)}")
    full = N == 1000 and BLOCK == 100 and set(SYSTEMS) == {"corral", "tmux", "dtach"} and not JFR
    if os.environ.get("SCALE_README") == "1" and full:
        update_readme(results, os.path.relpath(OUT, HOME))
    else:
        say("bench/README.md not updated (only a full run does: 1,000 sessions, blocks of 100, all three systems, no --jfr)")


def ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "n/a"


def summary(results):
    """The headline figures, also what goes in the README."""
    c = results.get("corral")
    lines = []
    if not c:
        return lines
    blocks = [statistics.median(c["spawn"][k:k + BLOCK]) for k in range(0, len(c["spawn"]), BLOCK)]
    first, last, fastest = blocks[0], blocks[-1], min(blocks)
    marginal = (c["atN"]["rss"] - c["at"][min(BLOCK, N)]["rss"]) / max(1, N - min(BLOCK, N))
    d = results.get("dtach")
    t = results.get("tmux")
    p50_last = last
    lines.append(f"- **spawn p50 at {N} sessions: {p50_last:.2f} ms** (target ≤ 5 ms: {'met' if p50_last <= 5 else 'not met'}); "
                 f"last block ÷ first {last / first:.2f}×, ÷ fastest block {last / fastest:.2f}× "
                 f"(target ≤ 1.5×: {'met' if last / fastest <= 1.5 else 'not met'})"
                 + (f"; ÷ dtach's last block {ratio(last, statistics.median(d['spawn'][-BLOCK:]))}" if d else "")
                 + (f", ÷ tmux's {ratio(last, statistics.median(t['spawn'][-BLOCK:]))}" if t else ""))
    lines.append(f"- **marginal RSS per idle 80x24 session ({min(BLOCK, N)}→{N}): {marginal:.0f} KiB** "
                 f"(target < 200 KiB: {'met' if marginal < 200 else 'not met'})"
                 + (f"; dtach {(d['atN']['rss'] - d['at'][min(BLOCK, N)]['rss']) / max(1, N - min(BLOCK, N)):.0f} KiB" if d else "")
                 + (f", tmux {(t['atN']['rss'] - t['at'][min(BLOCK, N)]['rss']) / max(1, N - min(BLOCK, N)):.0f} KiB" if t else ""))
    lines.append(f"- **RSS: {c['at0']['rss'] / 1024:.1f} MiB idle, {c['atN']['rss'] / 1024:.1f} MiB at {N}, "
                 f"{c['removed_now']['rss'] / 1024:.1f} MiB 1 s after removing them all, "
                 f"{c['removed_settled']['rss'] / 1024:.1f} MiB after {SETTLE} s** "
                 f"({(c['removed_settled']['rss'] - c['at0']['rss']) / 1024:+.1f} MiB over idle)")
    per = (c["atN"]["threads"] - c["at0"]["threads"]) / N
    lines.append(f"- threads: {c['at0']['threads']} idle, {c['atN']['threads']} at {N} ({per:.2f} per session; "
                 f"target ≤ 1: {'met' if per <= 1 else 'not met'}); idle CPU at {N}: {c['idle_cpu_pct']:.2f} % of a core"
                 + (f" (tmux {t['idle_cpu_pct']:.2f} %" if t else "") + (f", dtach {d['idle_cpu_pct']:.2f} %" if d else "")
                 + (")" if t or d else ""))
    lines.append(f"- list at {N}: {c['list_ms']:.1f} ms (`session.list` on an open connection)"
                 + (f"; tmux {t['list_ms']:.1f} ms (`tmux ls`, a process)" if t else "")
                 + (f"; dtach {d['list_ms']:.1f} ms (`ls` of its socket directory, a process)" if d else ""))
    lines.append(f"- cold and warm: corrald answered {c['launch_ms']:.0f} ms after launch ({c['cache']}); first spawn "
                 f"{c['spawn'][0]:.1f} ms, first block p50 {first:.2f} ms (cold JIT); the same daemon after the run, "
                 f"empty again: block p50 {statistics.median(c['warm']):.2f} ms, p99 {pct(c['warm'], 99):.2f} ms (warm)")
    return lines


def report(results, floor, started, load_before, load_after):
    out = [f"# corral at scale — {started.isoformat(timespec='seconds')}", "",
           f"- commit {os.environ.get('SCALE_COMMIT', '?')}; {N} sessions of `{' '.join(PROGRAM)}`, 80x24, one after another; "
           f"blocks of {BLOCK}; idle CPU over {IDLE} s; settled = {SETTLE} s after the removals",
           f"- nproc {os.cpu_count()}; load average before {' '.join(load_before)}, after {' '.join(load_after)}; "
           f"fork+exec of /bin/true: {floor:.2f} ms median (in every tmux and dtach spawn, not in corral's)"]
    for r in results.values():
        out.append(f"- {r['name']}: {r['version']}; spawn by {r['via']}")
    if JFR:
        out.append(f"- **profiled run** (JFR to {JFR}, CDS off): figures are not comparable")
    out += ["", "## Summary", ""] + summary(results)
    names = list(results)
    out += ["", "## Spawn time per block (ms)", "",
            "| sessions | " + " | ".join(f"{n} p50 | {n} p99" for n in names) + (" | corral ÷ dtach p50 |" if
                                                                              "corral" in results and "dtach" in results else " |"),
            "|---|" + "---:|---:|" * len(names) + ("---:|" if "corral" in results and "dtach" in results else "")]
    rows = [(f"{k + 1}–{min(k + BLOCK, N)}", {n: results[n]["spawn"][k:k + BLOCK] for n in names}) for k in range(0, N, BLOCK)]
    rows.append(("warm (after removal)", {n: results[n]["warm"] for n in names}))
    for label, cols in rows:
        cells = [f"{statistics.median(cols[n]):.2f} | {pct(cols[n], 99):.2f}" for n in names]
        extra = ""
        if "corral" in results and "dtach" in results:
            extra = f" {ratio(statistics.median(cols['corral']), statistics.median(cols['dtach']))} |"
        out.append(f"| {label} | " + " | ".join(cells) + " |" + extra)
    out += ["", "## Memory, threads, CPU", "",
            "| system | RSS MiB @0 | @" + f"{min(BLOCK, N)} | @{N} | removed +1 s | removed +{SETTLE} s | marginal KiB/session "
            f"{min(BLOCK, N)}→{N} | threads @0 | @{N} | procs @{N} | idle CPU % @{N} | list ms @{N} | listed | spawn total s | remove total s | first answer ms |",
            "|---|" + "---:|" * 15]
    for n in names:
        r = results[n]
        b = r["at"][min(BLOCK, N)]
        marg = (r["atN"]["rss"] - b["rss"]) / max(1, N - min(BLOCK, N))
        out.append(f"| {n} | {r['at0']['rss'] / 1024:.1f} | {b['rss'] / 1024:.1f} | {r['atN']['rss'] / 1024:.1f} | "
                   f"{r['removed_now']['rss'] / 1024:.1f} | {r['removed_settled']['rss'] / 1024:.1f} | {marg:.0f} | "
                   f"{r['at0']['threads']} | {r['atN']['threads']} | {r['atN']['procs']} | {r['idle_cpu_pct']:.2f} | "
                   f"{r['list_ms']:.1f} | {r['listed']}/{N} | {r['spawn_total_s']:.2f} | {r['remove_total_s']:.2f} | "
                   + (f"{r['launch_ms']:.0f}" if r["launch_ms"] is not None else "-") + " |")
    out += ["", "RSS is summed over the system's own processes (corrald's JVM; tmux's server; every dtach master), "
            "never the sessions' programs. dtach has no process at 0 sessions.", ""]
    return "\n".join(out)


def update_readme(results, rel):
    path = os.path.join(HOME, "bench", "README.md")
    text = open(path).read()
    begin, end = "<!-- scale:begin -->", "<!-- scale:end -->"
    if begin not in text or end not in text:
        say(f"bench/README.md has no {begin} ... {end} section: not updated")
        return
    body = open(OUT).read().split("\n## Summary\n", 1)
    head = [line for line in body[0].splitlines() if line.startswith("- ")]
    lines = [f"Latest full run: `{rel}`.", ""] + head + [""] + summary(results) + [""] + \
        ["#" + line if line.startswith("## ") else line for line in body[1].split("\n", 1)[1].strip().splitlines()
         if not line.startswith("- ")]
    before, rest = text.split(begin, 1)
    _, after = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(before + begin + "\n" + "\n".join(lines).strip() + "\n" + end + after)
    say("bench/README.md: scale section replaced")


if __name__ == "__main__":
    main()
