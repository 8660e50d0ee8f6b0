#!/usr/bin/env bash
# Runs the whole suite (bin/test) N times back to back while stress-ng loads the CPUs, and says
# how each run ended: the "tests that hold under load" check. Installs stress-ng (Debian's
# package) when it is missing. Usage: src-test/loaded-runs.sh [RUNS=3] [CPU_WORKERS=2] [-- MVN ARGS]
# Each run's output goes to target/loaded-runs/run-N.log; the exit status is 0 only if every run passed.
set -euo pipefail
# Started in the background by a shell (`... &`), this script and all it starts inherit SIGINT
# and SIGQUIT ignored, which a shell cannot undo; then corrald and corral never see a Ctrl-C and
# the tests of SIGINT fail. Start again with both at their defaults (and Python's own SIGPIPE and
# SIGXFSZ ignores undone).
if (( 0x$(awk '/^SigIgn:/ {print $2}' /proc/self/status) & 0x6 )); then
    exec python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGXFSZ): signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$(readlink -f -- "${BASH_SOURCE[0]}")" "$@"
fi
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."

runs=${1:-3}
workers=${2:-2}
shift $(( $# < 2 ? $# : 2 ))
[[ ${1:-} == -- ]] && shift

if ! command -v stress-ng >/dev/null; then
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends stress-ng
fi

out=target/loaded-runs
mkdir -p "$out"
stress-ng --cpu "$workers" --timeout 0 --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null || true; wait "$stress" 2>/dev/null || true' EXIT

failed=0
for (( run = 1; run <= runs; run++ )); do
    start=$(date +%s)
    if bin/test "$@" >"$out/run-$run.log" 2>&1; then
        result=passed
    else
        result=FAILED
        failed=$(( failed + 1 ))
    fi
    seconds=$(( $(date +%s) - start ))
    summary=$(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures' "$out/run-$run.log" | tail -n 1 || true)
    printf 'run %d of %d: %s in %dm%02ds, load %s; %s\n' "$run" "$runs" "$result" $(( seconds / 60 )) $(( seconds % 60 )) \
        "$(cut -d' ' -f1-3 /proc/loadavg)" "${summary:-no test summary}"
    if [[ $result == FAILED ]]; then
        grep -E '^\[ERROR\]   [A-Za-z]+Test' "$out/run-$run.log" | sed 's/^/    /' | head -n 20 || true
    fi
done
echo "loaded runs: $(( runs - failed )) of $runs passed under stress-ng --cpu $workers (logs in $out)"
(( failed == 0 ))
