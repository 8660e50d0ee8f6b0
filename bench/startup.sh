#!/usr/bin/env bash
# bench/startup.sh — whole-process start-up of the client, measured against a Java hello-world
# run with the same JVM, the same flags and its own class-data-sharing archive (AppCDS on JDK 17,
# an AOT cache on JDK 25), so the ratio shows what corral adds on top of the JVM itself.
#
#   bench/startup.sh [--runs N] [--jdk25 | --no-jdk25]
#
# Starts a private daemon on a throw-away socket (and stops it on exit), times N runs of each
# command interleaved round-robin so that machine noise spreads over all of them, prints a
# Markdown table and writes it to bench/results/startup-<date>.md.
set -euo pipefail
here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
home=${here%/bench}

runs=40
jdk25=auto
jdk25_home=${CORRAL_BENCH_JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) runs=${2:?--runs needs a number}; shift 2 ;;
        --runs=*) runs=${1#--runs=}; shift ;;
        --jdk25) jdk25=yes; shift ;;
        --no-jdk25) jdk25=no; shift ;;
        -h|--help) sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "startup.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "startup.sh: --runs wants a positive integer" >&2; exit 2; }
command -v python3 >/dev/null || { echo "startup.sh: needs python3" >&2; exit 1; }

# The JVM the client itself would use (CORRAL_JAVA, JAVA_HOME, PATH), found by the launcher's own code.
# shellcheck source=../bin/lib/jvm.sh
. "$home/bin/lib/jvm.sh"
java17=$(corral_java)
java25=
if [[ $jdk25 != no ]]; then
    if [[ -x $jdk25_home/bin/java ]]; then
        java25=$jdk25_home/bin/java
    elif [[ $jdk25 == yes ]]; then
        echo "startup.sh: --jdk25 given but $jdk25_home/bin/java does not exist" >&2; exit 1
    fi
fi

# The client's JVM flags, read from bin/corral so that the hello-world keeps in step with it.
read -r -a flags <<<"$(sed -n '/corral_run_jar client/,/-- "\$@"/p' "$home/bin/corral" | grep -oE -- '-X[^ "\\]+' | tr '\n' ' ')"
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
    # Only ever the private socket: CORRAL_SOCKET is exported above, and --socket says it again.
    if ! "$home/bin/corral" --socket "$CORRAL_SOCKET" daemon stop >/dev/null 2>&1 && [[ -n $daemon_pid ]]; then
        kill "$daemon_pid" 2>/dev/null || true   # e.g. the jars were rebuilt under it: stop it by its pid
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "startup.sh: starting a private daemon on $CORRAL_SOCKET" >&2
started=$("$home/bin/corral" --socket "$CORRAL_SOCKET" --json daemon start)
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
export BENCH_HOME=$home BENCH_TMP=$tmp BENCH_RUNS=$runs BENCH_FLAGS="${flags[*]}"
export BENCH_JAVA17=$java17 BENCH_JAVA25=$java25 BENCH_NPROC=$(nproc)
export BENCH_JDK17_VERSION="$(jdk_version "$java17")" BENCH_JDK25_VERSION="${java25:+$(jdk_version "$java25")}"
export BENCH_COMMIT="$(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$home" diff --quiet HEAD -- client protocol bin 2>/dev/null || echo '+dirty')"
mkdir -p "$here/results"
export BENCH_OUT=$here/results/startup-$(date +%Y-%m-%d-%H%M%S).md

python3 - <<'PY'
import json, os, statistics, subprocess, sys, time, datetime

home, tmp = os.environ["BENCH_HOME"], os.environ["BENCH_TMP"]
runs = int(os.environ["BENCH_RUNS"])
flags = os.environ["BENCH_FLAGS"].split()
corral = os.path.join(home, "bin", "corral")
jar = os.path.join(home, "client", "target", "corral.jar")
cds = os.path.join(home, "client", "target", "cds")

commands = []  # (label, jdk, argv, env)
def add(jdk, java):
    env = dict(os.environ)
    if jdk == 25:
        env["CORRAL_JAVA"] = java
    hello_share = ([f"-XX:SharedArchiveFile={tmp}/hello-jdk17.jsa", "-Xlog:cds=off,cds+dynamic=off"]
                   if jdk == 17 else [f"-XX:AOTCache={tmp}/hello-jdk25.aot"])
    client_share = ([f"-XX:SharedArchiveFile={cds}/client-jdk17.jsa", "-Xlog:cds=off,cds+dynamic=off"]
                    if jdk == 17 else [f"-XX:AOTCache={cds}/client-jdk25.aot"])
    commands.append(("bin/corral ping", jdk, [corral, "ping"], env))
    commands.append(("bin/corral --version", jdk, [corral, "--version"], env))
    # The same JVM command line bin/corral ends in, without bash: shows what the launcher costs.
    commands.append(("java … -jar corral.jar --version (no bash launcher)", jdk,
                     [java, *flags, *client_share, f"-Dcorral.home={home}", "-jar", jar, "--version"], env))
    commands.append(("hello-world (own CDS/AOT archive)", jdk,
                     [java, *flags, *hello_share, "-jar", f"{tmp}/hello.jar"], env))

add(17, os.environ["BENCH_JAVA17"])
if os.environ.get("BENCH_JAVA25"):
    add(25, os.environ["BENCH_JAVA25"])

def run(argv, env):
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = (time.perf_counter() - t0) * 1000
    if p.returncode != 0:
        sys.exit(f"startup.sh: {' '.join(argv)} exited {p.returncode}:\n{p.stderr.decode()}")
    return dt

# Warm-up: makes the client's archive on first use (JDK 25's AOT cache included) and fills the page cache.
for _ in range(3):
    for _, _, argv, env in commands:
        run(argv, env)
for jdk, name in ((17, "client-jdk17.jsa"), (25, "client-jdk25.aot")):
    if any(c[1] == jdk for c in commands) and not os.path.isfile(os.path.join(cds, name)):
        sys.exit(f"startup.sh: the warm-up runs did not leave {cds}/{name}")

# Check that the archives are really used (a stale or mismatched one is silently ignored).
def archived(argv, env):
    log = os.path.join(tmp, "class-load.txt")
    env = dict(env, JAVA_TOOL_OPTIONS=f"-Xlog:class+load:file={log}")
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lines = open(log).read().splitlines()
    return sum("shared objects file" in l for l in lines), len(lines)
sharing = {}
for label, jdk, argv, env in commands:
    if label.startswith(("bin/corral --version", "hello")):
        shared, total = archived(argv, env)
        sharing[(label, jdk)] = f"{shared}/{total}"
        if shared < total * 0.9:
            print(f"startup.sh: warning: {label} on JDK {jdk} loads only {shared} of {total} classes "
                  "from its archive", file=sys.stderr)

def stamps():
    names = [jar, os.path.join(home, "daemon", "target", "corrald.jar")]
    names += [os.path.join(cds, n) for n in sorted(os.listdir(cds))]
    libs = os.path.join(home, "client", "target", "lib")
    names += [os.path.join(libs, n) for n in sorted(os.listdir(libs))]
    return {n: os.stat(n).st_mtime_ns for n in names if os.path.exists(n)}
stamps_before = stamps()
load_before = open("/proc/loadavg").read().split()[:3]
times = [[] for _ in commands]
for r in range(runs):
    k = r % len(commands)  # rotate who goes first, so no command always follows the same one
    for i in list(range(k, len(commands))) + list(range(k)):
        times[i].append(run(commands[i][2], commands[i][3]))
    print(f"\rround {r + 1}/{runs}", end="", file=sys.stderr, flush=True)
print(file=sys.stderr)
load_after = open("/proc/loadavg").read().split()[:3]
changed = [os.path.relpath(n, home) for n in set(stamps_before) | set(stamps()) if stamps_before.get(n) != stamps().get(n)]

def pct(xs, p):
    xs = sorted(xs)
    pos = p / 100 * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)

hello = {c[1]: statistics.median(times[i]) for i, c in enumerate(commands) if c[0].startswith("hello")}
lines = [
    f"# corral client start-up — {datetime.datetime.now().isoformat(timespec='seconds')}",
    "",
    f"- commit: {os.environ['BENCH_COMMIT']}; {runs} runs of each command, interleaved round-robin "
    "(3 warm-up rounds first), timed with time.perf_counter around subprocess.run",
    f"- JDK 17: {os.environ['BENCH_JAVA17']} — {os.environ['BENCH_JDK17_VERSION']}",
]
if os.environ.get("BENCH_JAVA25"):
    lines.append(f"- JDK 25: {os.environ['BENCH_JAVA25']} — {os.environ['BENCH_JDK25_VERSION']}")
lines += [
    f"- flags (read from bin/corral, also given to the hello-world): `{' '.join(flags)}`",
    f"- nproc: {os.environ['BENCH_NPROC']}; "
    f"load average before: {' '.join(load_before)}, after: {' '.join(load_after)}",
    "- classes loaded from the CDS archive / AOT cache (one `--version` run, -Xlog:class+load): "
    + ", ".join(f"{label.split(' (')[0]} JDK {jdk}: {v}" for (label, jdk), v in sharing.items()),
    *([f"- **warning: changed during the timing (someone rebuilt?), results are suspect:** {', '.join(sorted(changed))}"]
      if changed else []),
    "- ping runs against a private daemon on a throw-away socket; ratio = median / the same JDK's hello-world median",
    "",
    "| command | JDK | median ms | p10 ms | p90 ms | ratio to hello-world |",
    "|---|---|---:|---:|---:|---:|",
]
for i, (label, jdk, _, _) in enumerate(commands):
    m = statistics.median(times[i])
    lines.append(f"| `{label}` | {jdk} | {m:.1f} | {pct(times[i], 10):.1f} | {pct(times[i], 90):.1f} | {m / hello[jdk]:.2f}× |")
text = "\n".join(lines) + "\n"
with open(os.environ["BENCH_OUT"], "w") as f:
    f.write(text)
print(text)
print(f"written to {os.path.relpath(os.environ['BENCH_OUT'], home)}", file=sys.stderr)
PY
