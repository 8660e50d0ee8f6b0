#!/bin/sh
# Entry point of corral's agent image. Started as root: gives the 'agent' user the host user's
# UID/GID (HOST_UID/HOST_GID, which corrald passes), puts a copy of the read-only credentials file
# (CORRAL_CREDENTIALS, mounted by corrald when one is configured) in the agent's home, then runs the
# command as that user. Started as another user, it runs the command as it is.
set -eu

if [ "$(id -u)" != 0 ]; then
    exec "$@"
fi

# The credentials, when mounted, as OWNER's in HOME/.claude/.credentials.json.
copy_credentials() {
    if [ -n "${CORRAL_CREDENTIALS:-}" ] && [ -r "$CORRAL_CREDENTIALS" ]; then
        install -d -o "$1" -g "$1" -m 0700 "$2/.claude"
        install -o "$1" -g "$1" -m 0600 "$CORRAL_CREDENTIALS" "$2/.claude/.credentials.json"
    fi
}

uid=${HOST_UID:-1000}
gid=${HOST_GID:-1000}
if [ "$uid" = 0 ]; then
    # The host user is root: so is the agent, in root's home.
    copy_credentials root "${HOME:-/root}"
    exec "$@"
fi

[ "$(id -g agent)" = "$gid" ] || groupmod --non-unique --gid "$gid" agent
[ "$(id -u agent)" = "$uid" ] || usermod --non-unique --uid "$uid" agent
chown -R agent:agent /home/agent
copy_credentials agent /home/agent

export HOME=/home/agent USER=agent LOGNAME=agent
exec setpriv --reuid="$uid" --regid="$gid" --init-groups -- "$@"
