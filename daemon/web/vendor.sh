#!/usr/bin/env bash
# Vendors the web view's terminal, xterm.js, from the npm registry at build time (no CDN):
#   daemon/web/vendor.sh OUT_DIR     writes xterm.js, xterm.css, addon-fit.js and LICENSE into OUT_DIR
# The packages are fetched once per version with `npm pack` (no dependencies, no install scripts)
# into the project's .cache. Without npm, the build goes on and the page says what is missing.
set -euo pipefail
out=$1
root="$(cd "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$root/.cache/web-vendor"
xterm=5.5.0
fit=0.10.0
if [[ -s $out/xterm.js && -s $out/addon-fit.js && -f $out/.versions && $(cat "$out/.versions") == "$xterm $fit" ]]; then
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "vendor.sh: npm is missing, so the web view's terminal (xterm.js) is not vendored; install nodejs and npm, then build again" >&2
    exit 0
fi
mkdir -p "$cache" "$out"
# npm pack names the tarballs SCOPE-NAME-VERSION.tgz.
[[ -s $cache/xterm-xterm-$xterm.tgz ]] || (cd "$cache" && npm pack --silent "@xterm/xterm@$xterm" >/dev/null)
[[ -s $cache/xterm-addon-fit-$fit.tgz ]] || (cd "$cache" && npm pack --silent "@xterm/addon-fit@$fit" >/dev/null)
tar -xzf "$cache/xterm-xterm-$xterm.tgz" -C "$out" --strip-components=2 package/lib/xterm.js
tar -xzf "$cache/xterm-xterm-$xterm.tgz" -C "$out" --strip-components=2 package/css/xterm.css
tar -xzf "$cache/xterm-xterm-$xterm.tgz" -C "$out" --strip-components=1 package/LICENSE
tar -xzf "$cache/xterm-addon-fit-$fit.tgz" -C "$out" --strip-components=2 package/lib/addon-fit.js
echo "$xterm $fit" > "$out/.versions"
