#!/usr/bin/env bash
# bench/scale.sh — 1,000 sessions: corral over its socket protocol, beside tmux and dtach with
# their own tools, in the same run (see bench/README.md, "Scale").
#
#   bench/scale.sh [--sessions N] [--block B] [--systems corral,tmux,dtach] [--idle-seconds S]
#                  [--settle-seconds S] [--jfr FILE] [--no-readme]
#
# For each system: spawn N idle sessions (`sleep`) one after another, timing each (p50/p99 per
# block of B), list them, RSS and threads at 0, B and N sessions, idle CPU at N, remove them
# all, RSS right after and once settled, then a warm block of B spawns. corral's daemon is a
# private one (its own socket and state directory, --max-sessions raised to fit N), started
# through bin/corrald with its AOT cache / CDS archive as a user's would be; the requests are
# length-prefixed JSON frames written from python (no client start-up). Writes
# bench/results/scale-<time>.md and, for a full run (N = 1000, all three systems, no --jfr),
# the section of bench/README.md between <!-- scale:begin --> and <!-- scale:end -->.
# --jfr FILE: the daemon records a JFR profile of the run (CDS off for it, so its archive stays).
set -euo pipefail
here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
home=${here%/bench}

sessions=1000 block=100 systems=corral,tmux,dtach idle=10 settle=30 jfr= readme=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --sessions) sessions=${2:?}; shift 2 ;;
        --block) block=${2:?}; shift 2 ;;
        --systems) systems=${2:?}; shift 2 ;;
        --idle-seconds) idle=${2:?}; shift 2 ;;
        --settle-seconds) settle=${2:?}; shift 2 ;;
        --jfr) jfr=$(readlink -f -- "${2:?}"); shift 2 ;;
        --no-readme) readme=0; shift ;;
        -h|--help) sed -n '2,17s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "scale.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
for v in "$sessions" "$block" "$idle" "$settle"; do
    [[ $v =~ ^[0-9]+$ ]] || { echo "scale.sh: numbers wanted, got '$v'" >&2; exit 2; }
done
(( sessions >= 1 && block >= 1 )) || { echo "scale.sh: --sessions and --block must be 1 or more" >&2; exit 2; }
command -v python3 >/dev/null || { echo "scale.sh: needs python3" >&2; exit 1; }

if [[ ! -f $home/daemon/target/corrald.jar ]]; then
    echo "scale.sh: building corral (mvn -DskipTests package) ..." >&2
    (cd "$home" && mvn -B -q -ntp -DskipTests package)
fi
missing=()
for tool in tmux dtach; do
    [[ ,$systems, == *,$tool,* ]] && ! command -v "$tool" >/dev/null && missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "scale.sh: installing ${missing[*]} (apt-get) ..." >&2
    sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# A session per sleep, a master per dtach session: the file-descriptor limit must fit them.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || :

tmp=$(mktemp -d /tmp/corral-scale.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$here/results"
export SCALE_HOME=$home SCALE_TMP=$tmp SCALE_SESSIONS=$sessions SCALE_BLOCK=$block SCALE_SYSTEMS=$systems
export SCALE_IDLE=$idle SCALE_SETTLE=$settle SCALE_JFR=$jfr SCALE_README=$readme
export SCALE_OUT=$here/results/scale-$(date +%Y-%m-%d-%H%M%S).md
export SCALE_COMMIT="$(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$home" diff --quiet HEAD -- daemon bin 2>/dev/null || echo '+dirty')"
rc=0
python3 "$here/scale.py" || rc=$?
exit "$rc"
