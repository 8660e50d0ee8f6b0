#!/usr/bin/env bash
# bench/screen.sh — the screen model's own cost (issue 22 item 7): bytes/s through the parser
# (plain text, SGR-heavy text, a recorded `top`) on one 80x24 screen, and heap per screen at
# 80x24 and 200x50, idle and with a full scrollback. One command:
#
#   bench/screen.sh [--no-readme]
#
# Builds the jars and test classes when missing (whole reactor), runs ScreenBench with the
# daemon's collector, writes bench/results/screen-<time>.md and the section of bench/README.md
# between <!-- screen:begin --> and <!-- screen:end --> (not with --no-readme).
set -euo pipefail
here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
home=${here%/bench}
readme=1
case ${1:-} in
    --no-readme) readme=0 ;;
    "") ;;
    -h|--help) sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "screen.sh: unknown argument: $1" >&2; exit 2 ;;
esac
cd "$home"
if [[ ! -f daemon/target/test-classes/dev/corral/daemon/screen/ScreenBench.class || ! -d daemon/target/lib ]]; then
    echo "screen.sh: building (mvn -DskipTests package: jars and test classes) ..." >&2
    mvn -B -q -ntp -DskipTests package
fi
. "$home/bin/lib/jvm.sh"
corral_resolve_java ""
java=$CORRAL_JAVA_PATH
cp="daemon/target/classes:daemon/target/test-classes:$(printf '%s:' daemon/target/lib/*.jar)"
mkdir -p "$here/results"
out=$here/results/screen-$(date +%Y-%m-%d-%H%M%S).md
raw=$("$java" -Xms16m -Xmx512m -XX:+UseSerialGC -XX:-UsePerfData -cp "$cp" dev.corral.daemon.screen.ScreenBench)
printf '%s\n' "$raw" >&2
SCREEN_RAW=$raw SCREEN_OUT=$out SCREEN_README=$readme SCREEN_HOME=$home \
SCREEN_JAVA="$java ($CORRAL_JAVA_VERSION)" python3 - <<'PY'
import datetime, os, re

raw, out, home = os.environ["SCREEN_RAW"], os.environ["SCREEN_OUT"], os.environ["SCREEN_HOME"]
rows = []
for line in raw.splitlines():
    m = re.match(r"(.+?)\s+([\d.]+) MiB/s$", line)
    if m:
        rows.append((f"parser: {m.group(1)}", f"{float(m.group(2)):.1f} MiB/s ({float(m.group(2)) * 1.048576:.1f} MB/s)"))
        continue
    m = re.match(r"(\d+x\d+) (idle|full scrollback)\s+(\d+) bytes \(model's estimate\)\s+(-?\d+) bytes \(measured heap\)", line)
    if m:
        what = "idle (no scrollback yet)" if m.group(2) == "idle" else "full scrollback (2,000 lines of coloured cells)"
        rows.append((f"heap per screen, {m.group(1)}, {what}",
                     f"{int(m.group(4)) / 1024:,.0f} KiB measured ({int(m.group(3)) / 1024:,.0f} KiB by the model's own estimate)"))
load = " ".join(open("/proc/loadavg").read().split()[:3])
when = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
body = [f"Latest run: `{os.path.relpath(out, home)}`, {when}, {os.environ['SCREEN_JAVA']}, serial GC as the daemon, "
        f"load average {load} after the run (throughput is one core's; a busy machine lowers it).", "",
        "| What | Figure |", "|------|--------|"] + [f"| {a} | {b} |" for a, b in rows]
with open(out, "w") as f:
    f.write(f"# The screen model's cost — {when}\n\n" + "\n".join(body) + "\n\n```\n" + raw + "\n```\n")
print("\n".join(body))
if os.environ["SCREEN_README"] == "1":
    path = os.path.join(home, "bench", "README.md")
    text = open(path).read()
    begin, end = "<!-- screen:begin -->", "<!-- screen:end -->"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        open(path, "w").write(head + begin + "\n" + "\n".join(body) + "\n" + end + rest.split(end, 1)[1])
        print("bench/README.md: screen section replaced")
    else:
        print(f"bench/README.md has no {begin} ... {end} section: not updated")
PY
