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
rm -f "$home"/client/target/cds/*.jsa "$home"/daemon/target/cds/*.jsa
"$home/bin/corral" ping >/dev/null
"$home/bin/corral" daemon stop >/dev/null
for _ in $(seq 100); do
    compgen -G "$home/daemon/target/cds/daemon-jdk*" >/dev/null && exit 0
    sleep 0.1
done
echo "train-cds: the daemon's archive did not appear" >&2
exit 1
