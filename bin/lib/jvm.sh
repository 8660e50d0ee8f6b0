# Shared by bin/corral and bin/corrald: find Java, build the jars when missing, and run a jar
# with class-data sharing made on first use (AppCDS on JDK 17, JDK 25's AOT cache on 25+).
# Sourced, not run. Expects $home (the repository root).

corral_java() {
    local java=${CORRAL_JAVA:-}
    if [[ -z $java && -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then java=$JAVA_HOME/bin/java; fi
    if [[ -z $java ]]; then java=$(command -v java) || { echo "corral: no java on PATH; install a JDK (17 or newer)" >&2; exit 125; }; fi
    printf '%s\n' "$java"
}

corral_build_if_missing() {
    local jar=$1
    [[ -f $jar ]] && return 0
    echo "corral: building the jars first (mvn -DskipTests package) ..." >&2
    (cd "$home" && mvn -B -q -ntp -DskipTests package >&2) || { echo "corral: the build failed" >&2; exit 125; }
}

# The feature release of a JDK (17, 25, ...), read from its release file without starting it.
corral_java_feature() {
    local java_home line
    java_home=$(dirname "$(dirname "$(readlink -f "$1")")")
    while IFS= read -r line; do
        if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; return; fi
    done < "$java_home/release" 2>/dev/null
    printf '0\n'
}

# corral_run_jar NAME JAR [JVM-FLAG...] -- [ARG...]
# The archive lives beside the jar and is remade whenever the jar is newer than it. The first
# run writes it at exit under a temporary name, then renames it, so concurrent first runs are safe.
corral_run_jar() {
    local name=$1 jar=$2; shift 2
    local flags=()
    while [[ $# -gt 0 && $1 != -- ]]; do flags+=("$1"); shift; done
    shift
    local java feature dir archive
    java=$(corral_java)
    feature=$(corral_java_feature "$java")
    dir=$(dirname "$jar")/cds
    archive=$dir/$name-jdk$feature.$([[ $feature -ge 25 ]] && echo aot || echo jsa)
    if [[ ${CORRAL_CDS:-on} == off ]] || ! mkdir -p "$dir" 2>/dev/null || [[ ! -w $dir ]] || [[ $feature -lt 17 ]]; then
        exec "$java" "${flags[@]}" -jar "$jar" "$@"
    fi
    if [[ -f $archive && $archive -nt $jar ]]; then
        if [[ $feature -ge 25 ]]; then
            exec "$java" "${flags[@]}" -XX:AOTCache="$archive" -jar "$jar" "$@"
        fi
        exec "$java" "${flags[@]}" -XX:SharedArchiveFile="$archive" -Xlog:cds=off,cds+dynamic=off -jar "$jar" "$@"
    fi
    local tmp=$archive.$$.tmp dump
    if [[ $feature -ge 25 ]]; then dump=(-XX:AOTCacheOutput="$tmp"); else dump=(-XX:ArchiveClassesAtExit="$tmp" -Xlog:cds=off,cds+dynamic=off); fi
    "$java" "${flags[@]}" "${dump[@]}" -jar "$jar" "$@" &
    local child=$! status
    trap 'kill -TERM $child 2>/dev/null' TERM INT HUP
    while true; do
        wait "$child"; status=$?
        kill -0 "$child" 2>/dev/null || break
    done
    trap - TERM INT HUP
    [[ -s $tmp ]] && mv -f "$tmp" "$archive" || rm -f "$tmp"
    exit "$status"
}
