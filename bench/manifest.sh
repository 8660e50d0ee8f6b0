#!/usr/bin/env bash
# bench/manifest.sh — how long corral takes to capture a workspace's manifest, beside
# `git status --porcelain` on the same tree, measured on a tree it makes: 100,000 files in
# 1,000 directories (100 × 10), committed to git so that git status has an index to compare.
#
#   bench/manifest.sh [--files N] [--runs N] [--dir DIR]
#
# corral's capture runs in one JVM that stays warm, as in the daemon, with the daemon's JVM
# flags: "start" is a spawn's capture, "end" a session end's capture against it plus the diff.
# git runs as the whole process a user would run. Runs are interleaved round-robin so machine
# noise spreads over all of them; the first of each is a warm-up and not counted. Prints a
# Markdown table and writes it to bench/results/manifest-<date>.md.
set -euo pipefail
here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
home=${here%/bench}

files=100000
runs=10
tree_dir=
while [[ $# -gt 0 ]]; do
    case $1 in
        --files) files=${2:?--files needs a number}; shift 2 ;;
        --runs) runs=${2:?--runs needs a number}; shift 2 ;;
        --dir) tree_dir=${2:?--dir needs a directory}; shift 2 ;;
        -h|--help) sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "manifest.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ $files =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]] || { echo "manifest.sh: --files and --runs want positive integers" >&2; exit 2; }
for tool in git python3; do command -v $tool >/dev/null || { echo "manifest.sh: needs $tool" >&2; exit 1; }; done

# shellcheck source=../bin/lib/jvm.sh
. "$home/bin/lib/jvm.sh"
java=$(corral_java)
jar=$home/daemon/target/corrald.jar
[[ -f $jar ]] || { echo "manifest.sh: $jar is missing; build first (mvn -DskipTests package)" >&2; exit 1; }

tmp=$(mktemp -d "${tree_dir:-${TMPDIR:-/tmp}}/corral-manifest.XXXXXX")
coproc_pid=
cleanup() {
    [[ -n $coproc_pid ]] && kill "$coproc_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
tree=$tmp/tree

echo "making $files files in $tree ..." >&2
made=$(date +%s%N)
python3 - "$tree" "$files" <<'PY'
import os, sys
root, total = sys.argv[1], int(sys.argv[2])
per_dir = 100
dirs = (total + per_dir - 1) // per_dir
n = 0
for d in range(dirs):
    path = os.path.join(root, "pkg%03d" % (d // 10), "mod%d" % (d % 10))
    os.makedirs(path, exist_ok=True)
    for f in range(min(per_dir, total - n)):
        with open(os.path.join(path, "file%03d.txt" % f), "w") as out:
            out.write("line %d of a small source file\n" % n)
        n += 1
PY
echo "  made in $(( ($(date +%s%N) - made) / 1000000 )) ms; committing to git ..." >&2
git -C "$tree" init -q
# No background gc after the big commit: it would run during the timings.
git -C "$tree" config gc.auto 0
git -C "$tree" config maintenance.auto false
git -C "$tree" -c user.name=bench -c user.email=bench@localhost add -A
git -C "$tree" -c user.name=bench -c user.email=bench@localhost commit -q -m tree
git_version=$(git --version)
# Let the files age past corral's "racy" window (2 s), as a real workspace's files have.
sleep 3

# The daemon's own JVM flags (bin/corrald), so the capture runs as it does there.
coproc TIMING { "$java" -Xms16m -Xmx512m -XX:+UseSerialGC -XX:-UsePerfData -cp "$jar" dev.corral.daemon.workspace.ManifestTiming "$tree"; }
coproc_pid=$TIMING_PID
capture() {
    local line
    echo "$1" >&"${TIMING[1]}"
    IFS= read -r line <&"${TIMING[0]}" || { echo "manifest.sh: the capture JVM died" >&2; exit 1; }
    [[ $line == files* ]] || { echo "manifest.sh: capture said: $line" >&2; exit 1; }
    set -- $line
    [[ $2 == "$files" ]] || { echo "manifest.sh: the capture found $2 files, not $files" >&2; exit 1; }
    [[ $1 == files && ( $# -lt 6 || $6 == 0 ) ]] || { echo "manifest.sh: the end capture saw changes: $line" >&2; exit 1; }
    printf '%s\n' "$4"
}
git_status() {
    local began lines
    began=$(date +%s%N)
    lines=$(git -C "$tree" status --porcelain | wc -l)
    local ended=$(date +%s%N)
    [[ $lines == 0 ]] || { echo "manifest.sh: git status reports $lines changed files" >&2; exit 1; }
    python3 -c "print(round(($ended - $began) / 1e6, 1))"
}

start_ms=() end_ms=() git_ms=()
echo "timing $runs interleaved rounds (+1 warm-up) ..." >&2
for round in $(seq 0 "$runs"); do
    s=$(capture start); e=$(capture end); g=$(git_status)
    if (( round > 0 )); then start_ms+=("$s"); end_ms+=("$e"); git_ms+=("$g"); fi
done
exec {TIMING[1]}>&-

stats() { python3 -c '
import statistics, sys
v = sorted(float(x) for x in sys.argv[1:])
q = lambda p: v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
print("%.1f %.1f %.1f" % (statistics.median(v), q(0.1), q(0.9)))' "$@"; }
read -r s_med s_p10 s_p90 <<<"$(stats "${start_ms[@]}")"
read -r e_med e_p10 e_p90 <<<"$(stats "${end_ms[@]}")"
read -r g_med g_p10 g_p90 <<<"$(stats "${git_ms[@]}")"
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }

stamp=$(date -u +%Y-%m-%d-%H%M%S)
mkdir -p "$here/results"
out=$here/results/manifest-$stamp.md
{
    echo "# Manifest capture, $stamp UTC"
    echo
    echo "Tree: $files files in $(( (files + 99) / 100 )) directories, committed to git; $runs interleaved rounds after one warm-up."
    echo "Machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $("$java" -version 2>&1 | head -1); $git_version."
    echo
    echo "| what | median ms | p10 ms | p90 ms | ratio to git status |"
    echo "|---|---:|---:|---:|---:|"
    echo "| corral manifest capture at spawn (warm JVM, as in the daemon) | $s_med | $s_p10 | $s_p90 | $(ratio "$s_med" "$g_med")× |"
    echo "| corral capture at session end against the start, plus diff | $e_med | $e_p10 | $e_p90 | $(ratio "$e_med" "$g_med")× |"
    echo "| \`git status --porcelain\` (whole process) | $g_med | $g_p10 | $g_p90 | 1.00× |"
} | tee "$out"
echo >&2
echo "written to ${out#"$home"/}" >&2
