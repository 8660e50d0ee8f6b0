#!/usr/bin/env bash
# Installs the real agent CLIs that the end-to-end tests run, at pinned versions, each into its own
# folder of the project's cache, once per version:
#   src-test/agents/install.sh [DIR]     DIR defaults to .cache/agent-clis at the project root
# Prints one line per CLI: NAME=PATH-TO-ITS-BINARY. A version already installed is not fetched again.
# The CLIs reach no service here; the tests assert what they show on screen.
set -euo pipefail
root="$(cd "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-$root/.cache/agent-clis}"

# name  npm package  version  binary
clis=(
    "claude @anthropic-ai/claude-code 2.1.197 claude"
    "codex @openai/codex 0.171.0 codex"
    "gemini @google/gemini-cli 0.61.0 gemini"
)

command -v npm >/dev/null || { echo "install.sh: npm is missing (apt-get install nodejs npm)" >&2; exit 1; }

for entry in "${clis[@]}"; do
    read -r name package version binary <<<"$entry"
    prefix="$dir/$name-$version"
    if [[ ! -x "$prefix/node_modules/.bin/$binary" ]]; then
        echo "install.sh: installing $package@$version into $prefix" >&2
        rm -rf "$prefix.tmp"
        mkdir -p "$prefix.tmp"
        npm install --prefix "$prefix.tmp" --no-audit --no-fund --loglevel=error "$package@$version" >&2
        rm -rf "$prefix"
        mv "$prefix.tmp" "$prefix"
    fi
    echo "$name=$prefix/node_modules/.bin/$binary"
done
