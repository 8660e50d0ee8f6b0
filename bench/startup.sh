#!/usr/bin/env bash
# bench/startup.sh — whole-process start-up of the client, measured against a Java hello-world
# run with the same JVM, the same flags and its own class-data-sharing archive (AppCDS on JDK 17,
# an AOT cache on JDK 25), so the ratio shows what corral adds on top of the JVM itself.
#
#   bench/startup.sh [--runs N] [--start-runs N] [--jdk25 | --no-jdk25]
#
# Starts a private daemon on a throw-away socket (and stops it on exit), times N runs of each
# command (ping, ls, spawn, attach to the first screen byte, the hello-world) and --start-runs
# of `daemon start` on both JDKs, all interleaved round-robin so that machine noise spreads over
# all of them, prints a Markdown table and writes it to bench/results/startup-<date>.md.
# bin/corral picks its JDK itself; here CORRAL_JAVA forces each one, and CORRAL_CDS=strict makes
# an archive the JVM would drop an error instead of a slow run.
set -euo pipefail
here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
home=${here%/bench}

runs=40
start_runs=10
jdk25=auto
jdk25_home=${CORRAL_BENCH_JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) runs=${2:?--runs needs a number}; shift 2 ;;
        --runs=*) runs=${1#--runs=}; shift ;;
        --start-runs) start_runs=${2:?--start-runs needs a number}; shift 2 ;;
        --jdk25) jdk25=yes; shift ;;
        --no-jdk25) jdk25=no; shift ;;
        -h|--help) sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "startup.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "startup.sh: --runs wants a positive integer" >&2; exit 2; }
command -v python3 >/dev/null || { echo "startup.sh: needs python3" >&2; exit 1; }

# A JDK 17: CORRAL_BENCH_JDK17_HOME, else the first under /usr/lib/jvm whose release file says 17.
java17=
for j in ${CORRAL_BENCH_JDK17_HOME:+$CORRAL_BENCH_JDK17_HOME/bin/java} /usr/lib/jvm/*/bin/java; do
    if [[ -x $j ]] && grep -q '^JAVA_VERSION="17' "${j%/bin/java}/release" 2>/dev/null; then java17=$j; break; fi
done
[[ -n $java17 ]] || { echo "startup.sh: no JDK 17 found (set CORRAL_BENCH_JDK17_HOME)" >&2; exit 1; }
java25=
if [[ $jdk25 != no ]]; then
    if [[ -x $jdk25_home/bin/java ]]; then
        java25=$jdk25_home/bin/java
    elif [[ $jdk25 == yes ]]; then
        echo "startup.sh: --jdk25 given but $jdk25_home/bin/java does not exist" >&2; exit 1
    fi
fi

# The client's JVM flags, read from bin/corral so that the hello-world keeps in step with it.
read -r -a flags <<<"$(sed -n '/^corral_run_jar client/,/-- "\$@"/p' "$home/bin/corral" | grep -oE -- '-X[^ "\\]+' | tr '\n' ' ')"
if [[ ${#flags[@]} -eq 0 ]]; then
    echo "startup.sh: could not read the JVM flags from bin/corral; using a copy" >&2
    flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xss1m -Xmx256m)
fi

jar=$home/client/target/corral.jar
[[ -f $jar ]] || { echo "startup.sh: $jar is missing; build first (mvn -DskipTests package)" >&2; exit 1; }

tmp=$(mktemp -d)
export CORRAL_SOCKET=$tmp/run/corral.sock CORRAL_STATE_DIR=$tmp/state
daemon_pid=
cleanup() {
    for s in "$tmp"/start*/corral.sock; do
        [[ -S $s ]] && "$home/bin/corral" --socket "$s" daemon stop >/dev/null 2>&1
    done
    # Only ever the private socket: CORRAL_SOCKET is exported above, and --socket says it again.
    if ! "$home/bin/corral" --socket "$CORRAL_SOCKET" daemon stop >/dev/null 2>&1 && [[ -n $daemon_pid ]]; then
        kill "$daemon_pid" 2>/dev/null || true   # e.g. the jars were rebuilt under it: stop it by its pid
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "startup.sh: starting a private daemon on $CORRAL_SOCKET" >&2
started=$(CORRAL_JAVA=$java17 "$home/bin/corral" --socket "$CORRAL_SOCKET" --json daemon start)
[[ $started =~ \"pid\":([0-9]+) ]] && daemon_pid=${BASH_REMATCH[1]}
echo "startup.sh: corrald pid ${daemon_pid:-?}" >&2

# The hello-world: one class in a jar, compiled for 17 so both JDKs run the same bytes.
javac=$(dirname "$(readlink -f "$java17")")/javac
[[ -x $javac ]] || javac=$(command -v javac) || { echo "startup.sh: no javac" >&2; exit 1; }
mkdir -p "$tmp/hello"
cat >"$tmp/hello/Hello.java" <<'EOF'
public final class Hello {
    public static void main(String[] args) {
        System.out.println("hello, world");
    }
}
EOF
"$javac" --release 17 -d "$tmp/hello" "$tmp/hello/Hello.java"
printf 'Main-Class: Hello\n' >"$tmp/hello/manifest.txt"
"$(dirname "$javac")/jar" cfm "$tmp/hello.jar" "$tmp/hello/manifest.txt" -C "$tmp/hello" Hello.class
"$java17" "${flags[@]}" -XX:ArchiveClassesAtExit="$tmp/hello-jdk17.jsa" -Xlog:cds=off,cds+dynamic=off \
    -jar "$tmp/hello.jar" >/dev/null
if [[ -n $java25 ]]; then
    "$java25" "${flags[@]}" -XX:AOTCacheOutput="$tmp/hello-jdk25.aot" -jar "$tmp/hello.jar" >/dev/null 2>&1
    [[ -s $tmp/hello-jdk25.aot ]] || { echo "startup.sh: JDK 25 made no AOT cache for the hello-world" >&2; exit 1; }
fi

jdk_version() { "$1" -version 2>&1 | sed -n 1p; }
export BENCH_HOME=$home BENCH_TMP=$tmp BENCH_RUNS=$runs BENCH_START_RUNS=$start_runs BENCH_FLAGS="${flags[*]}"
export BENCH_JAVA17=$java17 BENCH_JAVA25=$java25 BENCH_NPROC=$(nproc)
export BENCH_JDK17_VERSION="$(jdk_version "$java17")" BENCH_JDK25_VERSION="${java25:+$(jdk_version "$java25")}"
export BENCH_COMMIT="$(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$home" diff --quiet HEAD -- client protocol bin 2>/dev/null || echo '+dirty')"
mkdir -p "$here/results"
export BENCH_OUT=$here/results/startup-$(date +%Y-%m-%d-%H%M%S).md

python3 - <<'PY'
import json, os, statistics, subprocess, sys, time, datetime, pty, socket, select, fcntl, termios, struct, signal

home, tmp = os.environ["BENCH_HOME"], os.environ["BENCH_TMP"]
runs, start_runs = int(os.environ["BENCH_RUNS"]), int(os.environ["BENCH_START_RUNS"])
flags = os.environ["BENCH_FLAGS"].split()
corral = os.path.join(home, "bin", "corral")
cds = os.path.join(home, "client", "target", "cds")
jdks = [(17, os.environ["BENCH_JAVA17"])] + ([(25, os.environ["BENCH_JAVA25"])] if os.environ.get("BENCH_JAVA25") else [])

def env_for(java):
    # CORRAL_CDS=strict: an archive the JVM cannot use fails the run instead of timing a slow start.
    return dict(os.environ, CORRAL_JAVA=java, CORRAL_CDS="strict")

def hello_argv(jdk, java):
    share = ([f"-XX:SharedArchiveFile={tmp}/hello-jdk17.jsa", "-Xlog:cds=off,cds+dynamic=off"] if jdk == 17
             else [f"-XX:AOTCache={tmp}/hello-jdk25.aot"])
    return [java, *flags, *share, "-jar", f"{tmp}/hello.jar"]

def run(argv, env):
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = (time.perf_counter() - t0) * 1000
    if p.returncode != 0:
        sys.exit(f"startup.sh: {' '.join(argv)} exited {p.returncode}:\n{p.stderr.decode()}")
    return dt

counter = [0]
def spawn_once(env):
    counter[0] += 1
    ms = run([corral, "spawn", "--name", f"s{counter[0]}", "--", "sleep", "100000"], env)
    # Not timed: the daemon caps live sessions (64 by default).
    subprocess.run([corral, "rm", "--force", f"s{counter[0]}"], env=env, stdout=subprocess.DEVNULL, check=True)
    return ms

MARK = b"ATTACH-SCREEN-READY"
def attach_once(env):
    """Launch to the first screen byte, as the shared harness does: a fresh PTY that is the
    client's controlling terminal; the time until the session's screen (its marker) shows."""
    m, s = os.openpty()
    fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    fa = [(os.POSIX_SPAWN_OPEN, 0, os.ttyname(s), os.O_RDWR, 0), (os.POSIX_SPAWN_DUP2, 0, 1), (os.POSIX_SPAWN_DUP2, 0, 2)]
    argv = [corral, "attach", "att"]
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=fa, setsid=True)
    os.close(s)
    seen, t1, deadline = b"", None, t0 + 30
    try:
        while t1 is None and time.perf_counter() < deadline:
            r, _, _ = select.select([m], [], [], 1)
            if r:
                d = os.read(m, 65536)
                seen += d
                if MARK in seen:
                    t1 = time.perf_counter()
        if t1 is None:
            sys.exit(f"startup.sh: attach showed no screen within 30 s: {seen[-300:]!r}")
        os.write(m, b"\x1c")              # Ctrl-\ detaches
        end = time.time() + 10
        while time.time() < end:
            if os.waitpid(pid, os.WNOHANG)[0]:
                pid = 0
                break
            try:
                select.select([m], [], [], 0.05) and os.read(m, 65536)
            except OSError:
                pass
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(m)
    return (t1 - t0) * 1000

starts = [0]
def daemon_start_once(env):
    """How long `daemon start` returns after the daemon first answers: a thread-free poll of the
    new socket every 0.5 ms from here sees the daemon listen; the gap to the client's exit is
    what starting costs beyond the daemon's own start."""
    starts[0] += 1
    sock = os.path.join(tmp, f"start{starts[0]}", "corral.sock")
    # A daemon of its own needs a state directory of its own: one daemon per state directory.
    env = dict(env, CORRAL_STATE_DIR=os.path.join(tmp, f"start{starts[0]}", "state"))
    p = subprocess.Popen([corral, "--socket", sock, "daemon", "start"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t0 = time.perf_counter()
    answered = None
    while p.poll() is None:
        if answered is None:
            c = socket.socket(socket.AF_UNIX)
            try:
                c.connect(sock)
                answered = time.perf_counter()
            except OSError:
                pass
            finally:
                c.close()
        time.sleep(0.0005)
    t_end = time.perf_counter()
    if p.returncode != 0:
        sys.exit(f"startup.sh: daemon start exited {p.returncode}: {p.stderr.read().decode()}")
    subprocess.run([corral, "--socket", sock, "daemon", "stop"], env=env, stdout=subprocess.DEVNULL, check=True)
    if answered is None:
        answered = t_end
    return (t_end - answered) * 1000, (t_end - t0) * 1000

commands = []  # (label, jdk, fn, n)
for jdk, java in jdks:
    env = env_for(java)
    h = hello_argv(jdk, java)
    commands += [
        ("hello-world (own CDS/AOT archive)", jdk, lambda h=h, e=env: run(h, e), runs),
        ("bin/corral ping", jdk, lambda e=env: run([corral, "ping"], e), runs),
        ("bin/corral ls", jdk, lambda e=env: run([corral, "ls"], e), runs),
        ("bin/corral spawn -- sleep", jdk, lambda e=env: spawn_once(e), runs),
        ("bin/corral attach (launch to first screen byte)", jdk, lambda e=env: attach_once(e), runs),
        ("bin/corral daemon start", jdk, lambda e=env: daemon_start_once(e), start_runs),
    ]

# The session attach shows: its screen is the marker, in the replay.
subprocess.run([corral, "spawn", "--name", "att", "--", "sh", "-c", f"printf '\\033[H\\033[2J%s\\r\\n' {MARK.decode()}; exec sleep 100000"],
               env=env_for(jdks[0][1]), check=True, stdout=subprocess.DEVNULL)

# Warm-up: makes each JDK's client and daemon archives (in the background) and fills the page cache.
for jdk, java in jdks:
    env = dict(env_for(java), CORRAL_CDS="on")
    run([corral, "ping"], env)
    daemon_start_once(env)
    deadline = time.time() + 180
    while time.time() < deadline and not all(
            os.path.isfile(os.path.join(home, part, "target", "cds", f"{name}-jdk{jdk}.stamp"))
            for part, name in (("client", "client"), ("daemon", "daemon"))):
        time.sleep(0.2)
for label, jdk, fn, n in commands:
    fn()

def stamps():
    names = []
    for part in ("client", "daemon"):
        d = os.path.join(home, part, "target")
        names += [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".jar")]
        names += [os.path.join(d, "cds", f) for f in sorted(os.listdir(os.path.join(d, "cds")))]
    return {n: os.stat(n).st_mtime_ns for n in names if os.path.exists(n)}
stamps_before = stamps()
load_before = open("/proc/loadavg").read().split()[:3]
times = [[] for _ in commands]
rounds = max(runs, start_runs)
for r in range(rounds):
    k = r % len(commands)
    for i in list(range(k, len(commands))) + list(range(k)):
        if len(times[i]) < commands[i][3]:
            times[i].append(commands[i][2]())
    print(f"\rround {r + 1}/{rounds}", end="", file=sys.stderr, flush=True)
print(file=sys.stderr)
load_after = open("/proc/loadavg").read().split()[:3]
after = stamps()
changed = [os.path.relpath(n, home) for n in set(stamps_before) | set(after) if stamps_before.get(n) != after.get(n)]

def pct(xs, p):
    xs = sorted(xs)
    pos = p / 100 * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)

hello = {c[1]: statistics.median(times[i]) for i, c in enumerate(commands) if c[0].startswith("hello")}
target = {"ping": 1.5, "ls": 1.5, "spawn": 1.5, "attach": 1.6}
lines = [
    f"# corral client start-up — {datetime.datetime.now().isoformat(timespec='seconds')}",
    "",
    f"- commit: {os.environ['BENCH_COMMIT']}; {runs} runs of each command ({start_runs} of daemon start), interleaved "
    "round-robin after a warm-up round, timed with time.perf_counter around the process",
    f"- JDK 17: {os.environ['BENCH_JAVA17']} — {os.environ['BENCH_JDK17_VERSION']}",
]
if os.environ.get("BENCH_JAVA25"):
    lines.append(f"- JDK 25: {os.environ['BENCH_JAVA25']} — {os.environ['BENCH_JDK25_VERSION']}")
lines += [
    f"- flags (read from bin/corral, also given to the hello-world): `{' '.join(flags)}`; corral runs with CORRAL_CDS=strict",
    f"- nproc: {os.environ['BENCH_NPROC']}; load average before: {' '.join(load_before)}, after: {' '.join(load_after)}",
    *([f"- **warning: changed during the timing (someone rebuilt?), results are suspect:** {', '.join(sorted(changed))}"] if changed else []),
    "- ratio = median / the same JDK's hello-world median; daemon start: ms from the daemon first accepting a connection "
    "to `daemon start` exiting (target ≤ 50), then the whole command",
    "",
    "| command | JDK | median ms | p10 ms | p90 ms | ratio to hello-world | target |",
    "|---|---|---:|---:|---:|---:|---|",
]
for i, (label, jdk, _, _) in enumerate(commands):
    if label.endswith("daemon start"):
        gaps, totals = [t[0] for t in times[i]], [t[1] for t in times[i]]
        m = statistics.median(gaps)
        lines.append(f"| `{label}`: after the daemon answers | {jdk} | {m:.1f} | {pct(gaps, 10):.1f} | {pct(gaps, 90):.1f} | "
                     f"(whole command {statistics.median(totals):.0f} ms) | ≤ 50 ms: {'met' if m <= 50 else 'not met'} |")
        continue
    m = statistics.median(times[i])
    key = next((k for k in target if f" {k}" in label), None)
    verdict = f"≤ {target[key]}×: {'met' if m / hello[jdk] <= target[key] else 'not met'}" if key else ""
    lines.append(f"| `{label}` | {jdk} | {m:.1f} | {pct(times[i], 10):.1f} | {pct(times[i], 90):.1f} | {m / hello[jdk]:.2f}× | {verdict} |")

# Where the milliseconds go: the same commands with CORRAL_TRACE (one stderr line per phase, ms since
# bin/corral began), medians of each phase's share; the process end is timed from here.
PHASES = [("launcher-exec", "launcher until `exec java`"), ("main", "JVM boot to `main`"),
          ("picocli-model", "picocli model (commands/NAME.model; jackson's first use)"),
          ("connect", "command code before the socket"), ("connected", "Unix socket open + connect (JDK NIO init)"),
          ("hello-done", "hello round trip, JSON both ways"), ("command-done", "the command's own requests and printing")]
def traced(argv, env):
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=dict(env, CORRAL_TRACE="1"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    total = (time.perf_counter() - t0) * 1000
    marks = {}
    for line in p.stderr.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "corral-trace":
            marks.setdefault(parts[1], float(parts[2]))   # the first of each: a retried connect counts once
    return marks, total
breakdown_runs = max(5, runs // 2)
lines += ["", f"Where the time goes (CORRAL_TRACE, median of {breakdown_runs} runs each, ms spent in each phase):", "",
          "| phase | " + " | ".join(f"{c} JDK {jdk}" for jdk, _ in jdks for c in ("ping", "ls", "spawn")) + " |",
          "|---|" + "---:|" * (3 * len(jdks))]
columns = []
for jdk, java in jdks:
    env = env_for(java)
    for name, argv in (("ping", [corral, "ping"]), ("ls", [corral, "ls"]), ("spawn", None)):
        samples = []
        for n in range(breakdown_runs):
            if argv is None:
                counter[0] += 1
                samples.append(traced([corral, "spawn", "--name", f"s{counter[0]}", "--", "sleep", "100000"], env))
                subprocess.run([corral, "rm", "--force", f"s{counter[0]}"], env=env, stdout=subprocess.DEVNULL, check=True)
            else:
                samples.append(traced(argv, env))
        column = []
        for k, (mark, _) in enumerate(PHASES):
            shares = []
            for marks, total in samples:
                if mark in marks:
                    before = max([marks[m] for m, _ in PHASES[:k] if m in marks], default=0.0)
                    shares.append(marks[mark] - before)
            column.append(statistics.median(shares) if shares else None)
        column.append(statistics.median([total - marks.get("command-done", total) for marks, total in samples]))
        column.append(statistics.median([total for _, total in samples]))
        columns.append(column)
for row, label in enumerate([d for _, d in PHASES] + ["JVM exit (after the last mark)", "whole process"]):
    cells = ["-" if c[row] is None else f"{c[row]:.1f}" for c in columns]
    lines.append(f"| {label} | " + " | ".join(cells) + " |")

text = "\n".join(lines) + "\n"
with open(os.environ["BENCH_OUT"], "w") as f:
    f.write(text)
print(text)
print(f"written to {os.path.relpath(os.environ['BENCH_OUT'], home)}", file=sys.stderr)
PY
