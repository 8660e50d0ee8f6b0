#!/usr/bin/env bash
# Records the byte streams ScreenConformanceTest replays: each program runs in an 80x24 pane of a
# private tmux server whose output is copied raw with pipe-pane, driven by send-keys.
#   daemon/src/test/resources/screen/record.sh [NAME...]    (from anywhere; writes NAME.bin here)
# The recordings are committed; run this again only to add or renew one.
set -euo pipefail
here="$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../../.." && pwd)"
work="$(mktemp -d)"
sock="$work/sock"
trap 'tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
t() { tmux -S "$sock" "$@"; }

record() { # NAME COMMAND KEYS... (a key "@N" waits N tenths of a second)
    local name="$1" command="$2"; shift 2
    t kill-server 2>/dev/null || true
    t -f /dev/null new-session -d -x 80 -y 24 -e LANG=C.UTF-8 -e TERM=tmux-256color "sleep 0.5; $command; sleep 1000"
    t set -g default-terminal tmux-256color
    t pipe-pane -o "cat > '$work/$name.bin'"
    sleep 1.5
    for key in "$@"; do
        if [[ "$key" == @* ]]; then sleep "$(awk "BEGIN{print ${key#@}/10}")"; else t send-keys "$key"; fi
    done
    sleep 1
    t pipe-pane
    cp "$work/$name.bin" "$here/$name.bin"
    echo "$name: $(wc -c <"$here/$name.bin") bytes"
}

printf 'line one\nline two\n\tindented\nthe end\n' >"$work/file.txt"
seq 1 300 | sed 's/^/services line /' >"$work/long.txt"
all=(vim less top curses claude)
for name in "${@:-${all[@]}}"; do
    case "$name" in
        vim) record vim "vim --clean -N '$work/file.txt'" @5 'ggOnew first line' Escape ':set number' Enter 'jjA appended' Escape @3 ;;
        less) record less "less '$work/long.txt'" @5 Space @3 Space @3 'b' @3 ;;
        top) record top "top -d 1" @25 ;;
        curses) record curses "python3 '$here/curses_demo.py'" @10 x @5 ;;
        claude)
            mkdir -p "$work/home" && echo '{"hasCompletedOnboarding": true}' >"$work/home/.claude.json"
            record claude "cd '$work' && HOME='$work/home' '$root/.cache/agent-clis/claude-2.1.197/node_modules/.bin/claude'" @80 Down @10 ;;
    esac
done
