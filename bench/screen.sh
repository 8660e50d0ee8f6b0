#!/usr/bin/env bash
# The screen model's cost: parser throughput and memory per session (see bench/README.md).
#   bench/screen.sh          (builds the daemon's test classes if needed)
set -euo pipefail
root="$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[[ -d daemon/target/test-classes/dev/corral/daemon/screen ]] || mvn -B -q -ntp -pl daemon -am test-compile
[[ -d daemon/target/lib ]] || mvn -B -q -ntp -pl daemon -am -DskipTests package
exec java -Xmx512m -cp "daemon/target/classes:daemon/target/test-classes:$(ls daemon/target/lib/*.jar | tr '\n' ':')" \
    dev.corral.daemon.screen.ScreenBench
