#!/usr/bin/env bash
# A Debian base image for corral's agent recipe without any registry: Debian bookworm made by
# debootstrap (--variant=minbase) from Debian's own mirror, kept as a tarball in a cache folder
# between runs, then imported into an engine.
#   debian-base.sh DOCKER_HOST [IMAGE]   IMAGE defaults to corral-debian-base:bookworm
# The cache is ${CORRAL_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corral-tests}; installs
# debootstrap with apt-get when it is missing (as root or through sudo). Prints the image's name.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: debian-base.sh DOCKER_HOST [IMAGE]" >&2; exit 2; }
host=$1
image=${2:-corral-debian-base:bookworm}
cache=${CORRAL_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corral-tests}
tarball=$cache/debian-bookworm-minbase.tar
mirror=${CORRAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
say() { echo "debian-base.sh: $*" >&2; }

if [[ ! -s $tarball ]]; then
    if ! command -v debootstrap >/dev/null; then
        say "installing debootstrap"
        "${sudo[@]}" apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends debootstrap >&2
    fi
    mkdir -p "$cache"
    root=$(mktemp -d "$cache/root.XXXXXX")
    trap '"${sudo[@]}" rm -rf "$root"' EXIT
    say "debootstrap --variant=minbase bookworm from $mirror (once; cached in $tarball)"
    "${sudo[@]}" debootstrap --variant=minbase bookworm "$root" "$mirror" >&2
    "${sudo[@]}" rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    "${sudo[@]}" tar -C "$root" --numeric-owner -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
fi
if ! DOCKER_HOST=$host docker image inspect "$image" >/dev/null 2>&1; then
    DOCKER_HOST=$host docker import --change 'CMD ["bash"]' "$tarball" "$image" >/dev/null
fi
echo "$image"
