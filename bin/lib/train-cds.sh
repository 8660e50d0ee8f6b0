#!/usr/bin/env bash
# Makes the class-data-sharing archives of the client and the daemon at build time, by running
# both once through a real auto-start, ping and stop on a throw-away socket. bin/corral and
# bin/corrald then start from the archives at once (and make them on first use otherwise).
set -eu
here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
home=${here%/bin/lib}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CORRAL_SOCKET=$tmp/run/corral.sock CORRAL_STATE_DIR=$tmp/state
rm -f "$home"/client/target/cds/* "$home"/daemon/target/cds/*
"$home/bin/corral" ping >/dev/null
"$home/bin/corral" daemon stop >/dev/null
# Both are made in the background (JDK 25's AOT cache takes seconds on a busy machine).
for _ in $(seq 1200); do
    compgen -G "$home/daemon/target/cds/daemon-jdk*.stamp" >/dev/null \
        && compgen -G "$home/client/target/cds/client-jdk*.stamp" >/dev/null && exit 0
    sleep 0.1
done
echo "train-cds: the archives did not appear within 120 s" >&2
exit 1
