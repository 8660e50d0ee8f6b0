#!/usr/bin/env bash
# bench/events.sh — fan-out of events: one private daemon, 100 subscribers (bench/events/EventsBench.java).
#
#   bench/events.sh [--subscribers N] [--clients N] [--exits N] [--stalled N]
#
# Measures events/s delivered to all subscribers while clients attach and leave as fast as four
# threads can (two events each), and the latency from a session's exit (its program prints the
# time and exits) to the session.exited event at each subscriber; then again with --stalled
# subscribers that stop reading. Prints a Markdown table and writes bench/results/events-<time>.md.
set -euo pipefail
here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
home=${here%/bench}

subscribers=100 clients=5000 exits=30 stalled=10
while [[ $# -gt 0 ]]; do
    case $1 in
        --subscribers) subscribers=${2:?}; shift 2 ;;
        --clients) clients=${2:?}; shift 2 ;;
        --exits) exits=${2:?}; shift 2 ;;
        --stalled) stalled=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "events.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
for n in "$subscribers" "$clients" "$exits" "$stalled"; do
    [[ $n =~ ^[0-9]+$ ]] || { echo "events.sh: numbers only" >&2; exit 2; }
done
(( stalled < subscribers && exits > 0 && clients > 0 )) || { echo "events.sh: --stalled below --subscribers, --exits and --clients above 0" >&2; exit 2; }

# shellcheck source=../bin/lib/jvm.sh
. "$home/bin/lib/jvm.sh"
java=$(corral_java)
lib=$home/client/target/lib
[[ -f $home/daemon/target/corrald.jar && -f $lib/corral-protocol-0.1.0.jar ]] \
    || { echo "events.sh: build first (mvn -DskipTests package)" >&2; exit 1; }

tmp=$(mktemp -d)
socket=$tmp/run/corral.sock
daemon_pid=
cleanup() {
    if [[ -n $daemon_pid ]]; then
        kill "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

"$home/bin/corrald" --socket "$socket" --state-dir "$tmp/state" --max-connections 1024 >"$tmp/daemon.out" 2>&1 &
daemon_pid=$!
for _ in $(seq 600); do
    "$home/bin/corral" --socket "$socket" ping >/dev/null 2>&1 && break
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$tmp/daemon.out" >&2; exit 1; }
    sleep 0.1
done
echo "events.sh: corrald pid $daemon_pid on $socket; $subscribers subscribers" >&2

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
table=$(cd "$tmp" && "$java" -Xss512k -cp "$lib/*" "$here/events/EventsBench.java" \
    "$socket" "$subscribers" "$clients" "$exits" "$stalled")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$here/results"
out=$here/results/events-$(date +%Y-%m-%d-%H%M%S).md
commit=$(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo unknown)
{
    echo "# Events fan-out, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "commit $commit; $(nproc) CPUs; $("$java" -version 2>&1 | sed -n 1p); load average before $load_before, after $load_after"
    echo "one corrald (default flags: --subscriber-queue 1024, journal on), $subscribers subscribers in one JVM (a thread each),"
    echo "$clients attach-and-leave clients per row from 4 threads, $exits exits per row"
    echo
    echo "$table"
} >"$out"
cat "$out"
echo "events.sh: wrote $out" >&2
