#!/usr/bin/env bash
# How often does corrald start a tmux process while its tmux sessions sit idle?
#
#   bench/tmux-idle.sh [--sessions N] [--seconds S]     (defaults: 50 sessions, 30 s)
#
# A private daemon runs with a PATH whose `tmux` is a shim that logs every start and then
# execs the real binary. N tmux sessions running `sleep` are spawned; after a settle period
# the shim's log is counted over S idle seconds. Writes bench/results/tmux-idle-<time>.md.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
sessions=50
seconds=30
while [[ $# -gt 0 ]]; do
    case $1 in
        --sessions) sessions=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        *) echo "usage: $0 [--sessions N] [--seconds S]" >&2; exit 2 ;;
    esac
done
real_tmux=$(command -v tmux) || { echo "tmux is not installed (apt-get install tmux)" >&2; exit 1; }
[[ -f $repo/client/target/corral-client.jar || -d $repo/client/target/classes ]] \
    || (cd "$repo" && mvn -B -q -DskipTests package)

work=$(mktemp -d /tmp/corral-tmux-idle.XXXXXX)
trap 'CORRAL_SOCKET=$work/c.sock "$repo/bin/corral" daemon stop >/dev/null 2>&1 || true;
      "$real_tmux" -S "$work/c.sock.tmux" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/shim"
cat > "$work/shim/tmux" <<EOF
#!/bin/sh
echo "\$(date +%s.%N) \$*" >> "$work/tmux-calls.log"
exec "$real_tmux" "\$@"
EOF
chmod +x "$work/shim/tmux"
export CORRAL_SOCKET=$work/c.sock CORRAL_STATE_DIR=$work/state
export PATH=$work/shim:$PATH

"$repo/bin/corral" daemon start >/dev/null
for i in $(seq 1 "$sessions"); do
    "$repo/bin/corral" spawn --kind tmux --name "idle$i" -- sleep 100000 >/dev/null
done
live=$("$repo/bin/corral" ls | grep -c '^idle' || true)
sleep 5   # settle: every view client attached, every first-output check done
before=$(wc -l < "$work/tmux-calls.log")
sleep "$seconds"
after=$(wc -l < "$work/tmux-calls.log")
calls=$((after - before))
rate=$(awk -v c="$calls" -v s="$seconds" 'BEGIN { printf "%.3f", c / s }')
start_calls=$before

mkdir -p "$repo/bench/results"
out=$repo/bench/results/tmux-idle-$(date -u +%Y-%m-%d-%H%M%S).md
{
    echo "# tmux processes started by an idle corrald ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    echo
    echo "| idle tmux sessions | window s | tmux processes started in the window | per second | tmux processes to spawn them |"
    echo "|---:|---:|---:|---:|---:|"
    echo "| $live | $seconds | $calls | $rate | $start_calls |"
} > "$out"
cat "$out"
echo "written to $out" >&2
