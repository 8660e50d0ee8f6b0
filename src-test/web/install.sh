#!/usr/bin/env bash
# What the browser test needs: Debian's chromium (apt-get, as root or through sudo) and
# playwright-core from the npm registry (pinned, into the project's .cache, once per version;
# it downloads no browser). Prints the folder holding node_modules/playwright-core.
set -euo pipefail
root="$(cd "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
version=1.65.1
prefix="$root/.cache/web-test/playwright-core-$version"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
if [[ ! -x /usr/bin/chromium ]]; then
    echo "web/install.sh: installing chromium" >&2
    "${sudo[@]}" apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium >&2
fi
if [[ ! -f $prefix/node_modules/playwright-core/package.json ]]; then
    rm -rf "$prefix.tmp"
    mkdir -p "$prefix.tmp"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$prefix.tmp" --no-audit --no-fund --loglevel=error \
        "playwright-core@$version" >&2
    rm -rf "$prefix"
    mv "$prefix.tmp" "$prefix"
fi
echo "$prefix"
