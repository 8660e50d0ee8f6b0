#!/usr/bin/env bash
# bench/daemon-cache.sh — makes sure bin/corrald starts with its class-data archive (an AOT cache
# on JDK 25, AppCDS before), so that a benchmark's "cold" daemon is the one a user gets from the
# second start of a build on, not the first start that records the archive.
#
#   bench/daemon-cache.sh        prints "AOT cache", "CDS archive" or "none" (what a daemon now starts with)
#
# Starts a private daemon on a throw-away socket and reads its JVM's command line; when it had
# no archive (it records one at exit), stops it, waits up to 5 minutes for the archive to be
# made in the background, and looks again. Environment as for bin/corrald (CORRAL_JAVA, ...).
set -euo pipefail
here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
home=${here%/bench}
tmp=$(mktemp -d /tmp/corral-cache.XXXXXX)
stop() {
    local pid
    pid=$(cat "$tmp/pid" 2>/dev/null) || pid=
    [[ -S $tmp/s/corral.sock ]] && "$home/bin/corral" --socket "$tmp/s/corral.sock" daemon stop >/dev/null 2>&1 || :
    # daemon stop returns once the socket is gone; the launcher that records the archive exits after the JVM.
    for _ in $(seq 600); do [[ -n $pid && -d /proc/$pid ]] || break; sleep 0.1; done
}
trap 'stop; rm -rf "$tmp"' EXIT

# One daemon; prints what it was started with.
probe() {
    mkdir -p "$tmp/s" "$tmp/state"
    setsid "$home/bin/corrald" --socket "$tmp/s/corral.sock" --state-dir "$tmp/state" --detached \
        </dev/null >"$tmp/daemon.log" 2>&1 &
    local status
    for _ in $(seq 600); do
        status=$("$home/bin/corral" --socket "$tmp/s/corral.sock" --json daemon status 2>/dev/null) && break
        sleep 0.1
    done
    [[ $status =~ \"pid\":([0-9]+) ]] || { echo "daemon-cache.sh: corrald did not answer:" >&2; cat "$tmp/daemon.log" >&2; exit 1; }
    local pid=${BASH_REMATCH[1]} argv
    echo "$pid" >"$tmp/pid"
    argv=$(tr '\0' '\n' <"/proc/$pid/cmdline")
    if [[ $argv == *-XX:AOTCache=* ]]; then echo "AOT cache"
    elif [[ $argv == *-XX:SharedArchiveFile=* ]]; then echo "CDS archive"
    else echo none
    fi
}

have=$(probe)
stop
if [[ $have == none && ${CORRAL_CDS:-on} != off ]]; then
    echo "daemon-cache.sh: corrald had no archive yet; it recorded one, waiting for it ..." >&2
    cds=$home/daemon/target/cds
    for _ in $(seq 3000); do
        if compgen -G "$cds/daemon-jdk*.stamp" >/dev/null && ! compgen -G "$cds/*.tmp*" >/dev/null \
                && [[ -n $(find "$cds" -name 'daemon-jdk*.stamp' -newer "$home/daemon/target/corrald.jar" -print -quit) ]]; then
            break
        fi
        sleep 0.1
    done
    have=$(probe)
    stop
fi
echo "$have"
