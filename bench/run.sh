#!/usr/bin/env bash
# bench/run.sh — corral beside direct, tmux and dtach in the shared terminal-multiplexer harness.
#
#   bench/run.sh              full suite (about 4 minutes); figures into bench/README.md
#   bench/run.sh --quick      smoke test (about 1 minute); results kept, README left alone
#   bench/run.sh ARGS...      ARGS go on to the harness after ours (so they win), e.g.
#                             --mib 16, --workloads echo,attach, --systems direct,corral=PATH
#
# Steps: build the jars when missing; install the anchors (tmux, dtach, screen) when missing;
# run $BENCH_HARNESS/run_suite.sh (default: ../shared/bench beside this checkout) with
# --systems direct,tmux,dtach,corral=bench/systems/corral.sh; copy its tables and raw JSON to
# bench/results/harness-<time>.{md,json}; for a run that is not --quick, replace the part of
# bench/README.md between <!-- harness:begin --> and <!-- harness:end --> with that table and a
# line of corral/dtach ratios.
set -euo pipefail

repo=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
adapter=$repo/bench/systems/corral.sh
harness=${BENCH_HARNESS:-$repo/../shared/bench}
results=$repo/bench/results
readme=$repo/bench/README.md
say() { printf 'bench/run.sh: %s\n' "$*" >&2; }

if [[ ! -x $harness/run_suite.sh ]]; then
    say "no benchmark harness at $harness (run_suite.sh missing)."
    say "Set BENCH_HARNESS to the directory that holds run_suite.sh, e.g. BENCH_HARNESS=/work/shared/bench bench/run.sh"
    exit 2
fi
harness=$(cd -- "$harness" && pwd)

# 1. The jars.
if [[ ! -f $repo/client/target/corral.jar || ! -f $repo/daemon/target/corrald.jar ]]; then
    say "building corral (mvn -DskipTests package) ..."
    (cd "$repo" && mvn -B -q -ntp -DskipTests package)
else
    newer=$(find "$repo/client/src/main" "$repo/daemon/src/main" "$repo/protocol/src/main" -newer "$repo/daemon/target/corrald.jar" -type f -print -quit 2>/dev/null || true)
    [[ -z $newer ]] || say "note: sources changed since the last build ($newer); run 'mvn -DskipTests package' to measure them"
fi

# 2. The anchors (abduco and screen are not in the comparison; screen is installed as the harness's set).
missing=()
for tool in tmux dtach screen; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
    say "installing the anchors (${missing[*]} missing) ..."
    sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
    if [[ -x $harness/install_anchors.sh ]]; then
        "${sudo[@]}" "$harness/install_anchors.sh" >&2
    else
        "${sudo[@]}" apt-get update -qq
        "${sudo[@]}" apt-get install -y -qq tmux dtach screen >/dev/null
    fi
fi

# 3. The suite. The JSON goes where we say unless the caller gave --out.
quick=0 out=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        --quick) quick=1 ;;
        --out) out=${args[i + 1]:-} ;;
        --out=*) out=${args[i]#--out=} ;;
    esac
done
stamp=$(date +%Y-%m-%d-%H%M%S)
own_out=()
if [[ -z $out ]]; then
    out=${TMPDIR:-/tmp}/corral-bench-$stamp.json
    own_out=(--out "$out")
fi
rc=0
"$harness/run_suite.sh" --systems "direct,tmux,dtach,corral=$adapter" "${own_out[@]}" "$@" || rc=$?
md=${out%.json}.md
if [[ ! -f $out || ! -f $md ]]; then
    say "the harness wrote no results (exit $rc)"
    exit "$rc"
fi

# 4. Keep the results; put the table and the ratios into the README.
mkdir -p "$results"
name=harness-$stamp$( ((quick)) && echo -quick || true)
cp "$out" "$results/$name.json"
cp "$md" "$results/$name.md"
say "results: bench/results/$name.md and .json"
if ((quick)); then
    say "--quick run: bench/README.md not updated (it keeps the last full run)"
    exit "$rc"
fi
python3 - "$results/$name.json" "$results/$name.md" "$readme" "bench/results/$name" <<'PY'
import json, statistics, sys

doc_path, md_path, readme_path, rel = sys.argv[1:]
doc = json.load(open(doc_path))
res = doc['results']

def tput(n):
    s = res.get('throughput', {}).get(n, {}).get('samples', [])
    return statistics.median(x['mibps'] for x in s) if s else None

def echo50(n):
    s = sorted(res.get('echo', {}).get(n, {}).get('samples_us', []))
    if not s:
        return None
    k = (len(s) - 1) / 2
    lo = int(k)
    return s[lo] + (s[min(lo + 1, len(s) - 1)] - s[lo]) * (k - lo)

def attach(n):
    s = res.get('attach', {}).get(n, {}).get('samples_ms', [])
    return statistics.median(s) if s else None

def marginal(n):
    mem = res.get('scale', {}).get(n, {}).get('mem', {})
    return (mem['100']['rss_kb'] - mem['10']['rss_kb']) / 90 if '10' in mem and '100' in mem else None

def ratio(f, unit, better, nd=1):
    c, d = f('corral'), f('dtach')
    if c is None or d is None or d == 0:
        return f'n/a (corral {c}, dtach {d})', None
    met = c >= d if better == 'higher' else c <= d
    return f'**{c / d:.2f}×** ({c:.{nd}f} vs {d:.{nd}f} {unit})', met

parts, verdicts = [], []
for label, f, unit, better, nd, target in [
        ('output throughput', tput, 'MiB/s', 'higher', 1, 'at least dtach'),
        ('echo p50', echo50, 'µs', 'lower', 0, 'at most dtach'),
        ('attach median', attach, 'ms', 'lower', 2, None),
        ('marginal RSS per idle session (10→100)', marginal, 'KiB', 'lower', 0, None)]:
    text, met = ratio(f, unit, better, nd)
    parts.append(f'{label} {text}')
    if target:
        verdicts.append(f'{label} {target}: ' + ('n/a' if met is None else 'met' if met else '**not met**'))

meta = doc['meta']
lines = [
    f'Latest full run: `{rel}.md` (raw samples in `{rel}.json`), started {meta["started"]}, '
    f'load average {meta.get("loadavg_before")} before, other tenants keeping the CPUs '
    f'{meta.get("background_busy_pct_before", 0):.0f} % busy while the harness idled.',
    '',
    'corral ÷ dtach, same run: ' + '; '.join(parts) + '.',
    'Targets (issue 3): ' + '; '.join(verdicts) + '.',
    '',
]
table = open(md_path).read().rstrip('\n').splitlines()
for line in table:
    lines.append('#' + line if line.startswith('##') else line)   # nest the harness's headings

readme = open(readme_path).read()
begin, end = '<!-- harness:begin -->', '<!-- harness:end -->'
if begin not in readme or end not in readme:
    sys.exit(f'{readme_path} has no {begin} ... {end} section')
head, rest = readme.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme_path, 'w').write(head + begin + '\n' + '\n'.join(lines) + '\n' + end + tail)
print('\n'.join(lines[:5]))
PY
say "bench/README.md: harness section replaced"
exit "$rc"
