#!/usr/bin/env bash
# corral as a "system under test" for the terminal-multiplexer harness in ../shared/bench
# (its README, "Adapter protocol"). Run by bench/run.sh as `--systems ...,corral=<this file>`;
# the harness calls `corral.sh VERB [ARGS]` with BENCH_RUN_DIR, BENCH_TAG and BENCH_PYTHON set.
#
# What it drives: bin/corral of the checkout this file lives in, against a private corrald on
# $BENCH_RUN_DIR/corral.sock with its state (log) in $BENCH_RUN_DIR/state.
#
#   info        also makes sure corrald starts with its AOT cache / CDS archive (bench/daemon-cache.sh)
#   start-argv  `corral --socket S spawn --name N --cwd RUN -- /bin/sh -c CMD`, exec'd directly.
#               When no daemon serves S yet (the harness's "cold" start), the printed argv is a
#               short bash step first: it starts corrald with --max-sessions raised (the default
#               cap of 64 live sessions is below the harness's 200-session scale test), waits
#               for the socket file, then execs the same spawn. Timed as a whole.
#   attach-argv `corral --socket S attach N` (raw mode on the harness's PTY, exits on SIGHUP).
#   list-argv   `corral --socket S ls`.
#   kill        `corral rm --force N` (KILL, waits for the exit, frees the name), then any
#               process left of the program's tree.
#   pids        the corrald JVM only (not the bash launcher, not clients, not session programs).
#   cleanup     `corral daemon stop`, then kill whatever of this system is left, rm the socket.
#
# This system's processes are told apart from every other process by their environment: each
# carries BENCH_TAG=$BENCH_TAG and CORRAL_STATE_DIR=$BENCH_RUN_DIR/state (the `env` verb adds
# the latter to every command of this system; corrald passes it on to its session programs).
set -euo pipefail

here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
repo=$(cd -- "$here/../.." && pwd)
: "${BENCH_RUN_DIR:?BENCH_RUN_DIR is not set; this adapter is run by the benchmark harness}"
: "${BENCH_TAG:?BENCH_TAG is not set; this adapter is run by the benchmark harness}"
py=${BENCH_PYTHON:-python3}
corral=$repo/bin/corral
sock=$BENCH_RUN_DIR/corral.sock
state=$BENCH_RUN_DIR/state
max_sessions=${CORRAL_BENCH_MAX_SESSIONS:-1024}
C=("$corral" --socket "$sock")

# NUL-separated argv on stdout: what the *-argv verbs must print.
print_argv() { printf '%s\0' "$@"; }

# procs MODE [ARGS]: /proc queries, by environment marker, never by program name.
#   mine            every live process of this system in this run (except this adapter)
#   daemon          the corrald JVM(s) serving $sock
#   tree PID...     the PIDs and all their descendants
#   kill PID...     TERM the PIDs and their descendants (this system's only), wait up to 2 s, then KILL
procs() {
    "$py" - "$@" <<'PY'
import os, signal, sys, time
mode, args = sys.argv[1], [int(a) for a in sys.argv[2:] if a.strip().isdigit()]
tag = os.environ['BENCH_TAG'].encode()
marks = {b'BENCH_TAG=' + tag, b'CORRAL_STATE_DIR=' + os.environ['BENCH_RUN_DIR'].encode() + b'/state'}
sock = os.environ['BENCH_RUN_DIR'] + '/corral.sock'

def read(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError:
        return b''

def stat(pid):                      # (state, ppid) or None
    raw = read(f'/proc/{pid}/stat')
    if not raw:
        return None
    fields = raw[raw.rfind(b')') + 2:].split()
    return fields[0].decode(), int(fields[1])

def live(pid):
    s = stat(pid)
    return s is not None and s[0] != 'Z'

pids = [int(d) for d in os.listdir('/proc') if d.isdigit()]
guard, p = set(), os.getpid()       # this helper and its ancestors (the adapter itself)
while p > 1:
    guard.add(p)
    s = stat(p)
    p = s[1] if s else 0

def marked(p):
    return marks <= set(read(f'/proc/{p}/environ').split(b'\0'))

def mine():
    return [p for p in pids if p not in guard and live(p) and marked(p)]

def tree(roots):
    children = {}
    for p in pids:
        s = stat(p)
        if s:
            children.setdefault(s[1], []).append(p)
    out, todo = [], list(roots)
    while todo:
        p = todo.pop()
        if p not in out and p not in guard:
            out.append(p)
            todo.extend(children.get(p, []))
    return out

if mode == 'mine':
    print(*mine(), sep='\n')
elif mode == 'daemon':
    for p in mine():
        argv = read(f'/proc/{p}/cmdline').split(b'\0')
        jars = [a for a in argv if a.endswith(b'/corrald.jar')]
        if jars and b'--socket' in argv and sock.encode() in argv:
            print(p)
elif mode == 'tree':
    print(*tree(args), sep='\n')
elif mode == 'kill':
    victims = [p for p in tree(args) if marked(p)]     # never anything outside this system
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in victims:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        end = time.monotonic() + 2
        while time.monotonic() < end and any(live(p) for p in victims):
            time.sleep(0.01)
        if not any(live(p) for p in victims):
            break
else:
    sys.exit(f'procs: unknown mode {mode}')
PY
}

# The bash step printed for a cold start (see the header). $1 repo, $2 socket, $3 state dir,
# $4 max sessions, then the arguments of the spawn.
cold_start='
repo=$1 sock=$2 state=$3 max=$4; shift 4
if [[ ! -S $sock ]]; then
    mkdir -p "$state"
    setsid "$repo/bin/corrald" --socket "$sock" --state-dir "$state" --max-sessions "$max" --detached \
        </dev/null >"$sock.daemon-start.log" 2>&1 &
    exec {tick}<> <(:)
    for ((i = 0; i < 6000; i++)); do
        [[ -S $sock ]] && break
        read -r -t 0.005 -u "$tick" _ || :
    done
    [[ -S $sock ]] || { echo "corrald did not create $sock within 30 s:" >&2; cat "$sock.daemon-start.log" >&2; exit 1; }
fi
exec "$repo/bin/corral" --socket "$sock" "$@"
'

case "${1:-}" in
  info)
    for jar in "$repo/client/target/corral.jar" "$repo/daemon/target/corrald.jar"; do
        [[ -f $jar ]] || { echo "$jar is missing: build corral first (bench/run.sh does)" >&2; exit 1; }
    done
    version=$("$corral" --version 2>&1 | head -n 1) || { echo "bin/corral --version failed: $version" >&2; exit 1; }
    # Every workload starts a daemon of its own: make sure they all start with the daemon's class-data
    # archive (the first start of a build only records it), and say so in the results.
    archive=$("$repo/bench/daemon-cache.sh" 2>/dev/null) || archive="unknown (bench/daemon-cache.sh failed)"
    echo "version=$version (max-sessions $max_sessions; daemon class-data archive: $archive)"
    echo "detach=1" ;;
  env)
    echo "CORRAL_STATE_DIR=$state" ;;
  start-argv)
    spawn=(spawn --name "$2" --cwd "$BENCH_RUN_DIR" -- /bin/sh -c "$3")
    if [[ -S $sock ]]; then
        print_argv "${C[@]}" "${spawn[@]}"
    else
        print_argv /bin/bash -c "$cold_start" corral-cold-start "$repo" "$sock" "$state" "$max_sessions" "${spawn[@]}"
    fi ;;
  attach-argv)
    print_argv "${C[@]}" attach "$2" ;;
  list-argv)
    print_argv "${C[@]}" ls ;;
  kill)
    [[ -S $sock ]] || exit 0
    shown=$("${C[@]}" --json show "$2" 2>/dev/null) || exit 0     # no such session: nothing to do
    program=()
    if [[ $shown =~ \"pid\":([0-9]+) ]]; then
        mapfile -t program < <(procs tree "${BASH_REMATCH[1]}")
    fi
    "${C[@]}" rm --force "$2" >/dev/null 2>&1 || { sleep 0.2; "${C[@]}" rm --force "$2" >/dev/null 2>&1 || :; }
    procs kill "${program[@]}" ;;
  pids)
    procs daemon ;;
  cleanup)
    if [[ -S $sock ]]; then
        "${C[@]}" daemon stop >/dev/null 2>&1 || :
    fi
    mapfile -t left < <(procs mine)
    procs kill "${left[@]}"
    rm -f "$sock" ;;
  *)
    echo "usage: $0 {info|env|start-argv NAME CMD|attach-argv NAME|list-argv|kill NAME|pids|cleanup}" >&2
    exit 2 ;;
esac
