#!/usr/bin/env bash
# A private Docker engine for corral's container tests, apart from any engine of the machine's:
#   engine.sh start DIR   installs docker.io and busybox-static when missing (apt-get, as root or
#                         through sudo), starts dockerd on DIR/docker.sock with its data, exec root
#                         and pid file in DIR, no bridge and no iptables rules, waits for it to
#                         answer, builds the image corral-busybox:latest FROM scratch holding the
#                         static busybox, and prints DOCKER_HOST=unix://DIR/docker.sock
#   engine.sh stop DIR    stops that dockerd by its pid (its containers with it) and removes DIR
# Containers on this engine need --network none: there is no bridge network.
# With CORRAL_ENGINE_CACHE=PATH, the engine keeps its images and build cache in PATH/data between
# runs (so the agent image's layers are built once), held by one engine at a time through a lock
# on PATH/lock that dockerd keeps open; when another engine holds it, this one uses DIR/data.
set -euo pipefail

usage() { echo "usage: engine.sh start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
action=$1
dir=$2
say() { echo "engine.sh: $*" >&2; }

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

install_missing() {
    local packages=()
    command -v dockerd >/dev/null || packages+=(docker.io)
    dpkg -s busybox-static >/dev/null 2>&1 || packages+=(busybox-static)
    if (( ${#packages[@]} )); then
        say "installing ${packages[*]}"
        "${sudo[@]}" apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}" >&2
    fi
}

docker_cli() { DOCKER_HOST="unix://$dir/docker.sock" docker "$@"; }

# Waits for the engine to answer, up to 60 s; fails at once when dockerd has exited.
await_engine() {
    local pid=$1
    for _ in $(seq 1 600); do
        if docker_cli version >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

data_root="$dir/data"
if [[ $action == start && -n ${CORRAL_ENGINE_CACHE:-} ]]; then
    mkdir -p "$CORRAL_ENGINE_CACHE"
    # Inherited by dockerd, which holds the lock for as long as it lives.
    exec {cache_lock}>>"$CORRAL_ENGINE_CACHE/lock"
    if flock --nonblock "$cache_lock"; then
        data_root="$CORRAL_ENGINE_CACHE/data"
    else
        say "another engine holds $CORRAL_ENGINE_CACHE; this one starts empty"
        exec {cache_lock}>&-
    fi
fi

launch() {
    # setsid: the engine lives apart from the test's process group; it is stopped by its pid.
    "${sudo[@]}" setsid dockerd --iptables=false --bridge=none --shutdown-timeout=2 \
        --host "unix://$dir/docker.sock" --data-root "$data_root" --exec-root "$dir/exec" \
        --pidfile "$dir/dockerd.pid" "$@" >>"$dir/dockerd.log" 2>&1 </dev/null &
    echo $!
}

start() {
    install_missing
    mkdir -p "$dir"
    local pid
    pid=$(launch)
    if ! await_engine "$pid"; then
        # Overlay storage does not work everywhere (nested overlays): vfs always does.
        say "dockerd did not come up with its default storage driver; trying vfs (log: $dir/dockerd.log)"
        stop_engine
        pid=$(launch --storage-driver vfs)
        if ! await_engine "$pid"; then
            say "dockerd did not answer on $dir/docker.sock within 60 s; its log:"
            tail -n 40 "$dir/dockerd.log" >&2
            exit 1
        fi
    fi
    # What an earlier run's tests left in a kept data root goes (images stay).
    docker_cli container prune --force >/dev/null 2>&1 || true
    local context="$dir/busybox-image"
    mkdir -p "$context"
    cp "$(dpkg -L busybox-static | grep -m1 '/busybox$')" "$context/busybox"
    cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /tmp /root /etc && echo root:x:0:0:root:/root:/bin/sh >/etc/passwd"]
CMD ["/bin/sh"]
DOCKERFILE
    docker_cli build --quiet --network none --tag corral-busybox:latest "$context" >/dev/null
    echo "DOCKER_HOST=unix://$dir/docker.sock"
}

stop_engine() {
    local pid
    pid=$(cat "$dir/dockerd.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        "${sudo[@]}" kill -TERM "$pid"
        for _ in $(seq 1 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            say "dockerd $pid did not stop within 30 s; killing it"
            "${sudo[@]}" kill -KILL "$pid"
        fi
    fi
    # Anything the engine left mounted under DIR goes before DIR does.
    awk -v root="$dir/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mount; do
        "${sudo[@]}" umount -l "$mount" 2>/dev/null || true
    done
}

case $action in
    start) start ;;
    stop) stop_engine; "${sudo[@]}" rm -rf "$dir" ;;
    *) usage ;;
esac
