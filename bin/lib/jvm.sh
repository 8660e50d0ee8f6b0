# Shared by bin/corral and bin/corrald: find the newest JDK, build the jars when missing, and run
# a jar with class-data sharing made for that JDK (AppCDS on JDK 17-24, an AOT cache on 25+).
# Sourced, not run. Expects $home (the repository root). Bash builtins only on the path that runs
# a command (no readlink, dirname or stat processes): every process forked here costs the user
# a millisecond or more before Java even starts.

# The feature release and full version of the JDK whose java is $1, read from its release file
# without starting it: sets REPLY_FEATURE and REPLY_VERSION (0 and "" when unreadable).
corral_java_release() {
    local home=${1%/bin/java} line
    REPLY_FEATURE=0 REPLY_VERSION=
    [[ -r $home/release ]] || return 1
    while IFS= read -r line; do
        if [[ $line =~ ^JAVA_VERSION=\"(([0-9]+)[^\"]*)\" ]]; then
            REPLY_VERSION=${BASH_REMATCH[1]} REPLY_FEATURE=${BASH_REMATCH[2]}
            return 0
        fi
    done <"$home/release"
    return 1
}

# Which java to run: CORRAL_JAVA, else JAVA_HOME's, else the newest JDK (17 or newer) under
# /usr/lib/jvm or /Library/Java/JavaVirtualMachines, else java on PATH. Sets CORRAL_JAVA_PATH,
# CORRAL_JAVA_FEATURE and CORRAL_JAVA_VERSION. The search is cached in $1 (one file beside the
# archives), keyed by the settings and the list of installed JDKs, so a JDK installed or
# removed is seen at once.
corral_resolve_java() {
    local cache=${1:-} key candidates=(/usr/lib/jvm/*/bin/java /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java)
    key="${candidates[*]}"
    # A java named by the environment needs no search and no cache: its release file is one read.
    [[ -n ${CORRAL_JAVA:-} || -n ${JAVA_HOME:-} && -x ${JAVA_HOME:-}/bin/java ]] && cache=
    if [[ -n $cache && -r $cache ]]; then
        local k j f v
        { IFS= read -r k; IFS= read -r j; IFS= read -r f; IFS= read -r v; } <"$cache"
        if [[ $k == "$key" && -x $j ]]; then
            CORRAL_JAVA_PATH=$j CORRAL_JAVA_FEATURE=$f CORRAL_JAVA_VERSION=$v
            return 0
        fi
    fi
    local java=
    if [[ -n ${CORRAL_JAVA:-} ]]; then
        java=$CORRAL_JAVA
    elif [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
        java=$JAVA_HOME/bin/java
    else
        local c best=0
        for c in "${candidates[@]}"; do
            [[ -x $c ]] && corral_java_release "$c" || continue
            if (( REPLY_FEATURE >= 17 && REPLY_FEATURE > best )); then best=$REPLY_FEATURE java=$c; fi
        done
        if [[ -z $java ]]; then
            java=$(command -v java) || { echo "corral: no JDK found (looked at CORRAL_JAVA, JAVA_HOME, /usr/lib/jvm, PATH); install a JDK 17 or newer" >&2; exit 125; }
        fi
    fi
    if ! corral_java_release "$java"; then
        # java on PATH or CORRAL_JAVA may be a symlink (/usr/bin/java → /etc/alternatives → the JDK).
        local real
        real=$(readlink -f -- "$java" 2>/dev/null) && corral_java_release "$real"
    fi
    CORRAL_JAVA_PATH=$java CORRAL_JAVA_FEATURE=$REPLY_FEATURE CORRAL_JAVA_VERSION=$REPLY_VERSION
    if [[ -n $cache ]] && { [[ -d ${cache%/*} ]] || mkdir -p -- "${cache%/*}" 2>/dev/null; }; then
        printf '%s\n' "$key" "$java" "$REPLY_FEATURE" "$REPLY_VERSION" >"$cache.$$" 2>/dev/null \
            && mv -f -- "$cache.$$" "$cache" 2>/dev/null || rm -f -- "$cache.$$" 2>/dev/null
    fi
    return 0
}

# Kept for scripts (bench/startup.sh): prints the java the launcher would run.
corral_java() {
    corral_resolve_java ""
    printf '%s\n' "$CORRAL_JAVA_PATH"
}

corral_build_if_missing() {
    local jar=$1
    [[ -f $jar ]] && return 0
    echo "corral: building the jars first (mvn -DskipTests package) ..." >&2
    (cd "$home" && mvn -B -q -ntp -DskipTests package >&2) || { echo "corral: the build failed" >&2; exit 125; }
}

# corral_run_jar NAME JAR TRAIN [JVM-FLAG...] -- [ARG...]
#
# The archive for this JDK lives beside the jar in cds/, with a stamp that names the java, its
# version and the flags it was made with. It is used only when the stamp matches and it is newer
# than the jar and every jar in lib/; otherwise it is remade and, until it is there, the command
# runs without one. CORRAL_CDS=off runs without; CORRAL_CDS=strict makes an archive the JVM
# cannot use an error (-Xshare:on, -XX:AOTMode=on) instead of a silent slow start: for tests.
#
# TRAIN says how the archive is made: "exit" makes it at this run's exit (the daemon: it runs
# long, and its stdout is a log); "background" runs this same jar once more in the background,
# detached, with the arguments in CORRAL_TRAIN_ARGS and all its output thrown away, so the user's
# command prints exactly what it always prints (JDK 25 writes its AOT messages on stdout).
corral_run_jar() {
    local name=$1 jar=$2 train=$3; shift 3
    local flags=()
    while [[ $# -gt 0 && $1 != -- ]]; do flags+=("$1"); shift; done
    shift
    local dir=${jar%/*}/cds
    corral_resolve_java "$dir/java.cache"
    local java=$CORRAL_JAVA_PATH feature=$CORRAL_JAVA_FEATURE
    if [[ ${CORRAL_CDS:-on} == off || $feature -lt 17 ]] || ! [[ -d $dir ]]; then
        exec "$java" "${flags[@]}" -jar "$jar" "$@"
    fi
    local ext=jsa; (( feature >= 25 )) && ext=aot
    local archive=$dir/$name-jdk$feature.$ext stamp_file=$dir/$name-jdk$feature.stamp
    local stamp="$java|$CORRAL_JAVA_VERSION|${flags[*]}" line= fresh=1 lib
    [[ -f $archive && $archive -nt $jar && -r $stamp_file ]] || fresh=0
    if (( fresh )); then
        IFS= read -r line <"$stamp_file"
        [[ $line == "$stamp" ]] || fresh=0
        for lib in "${jar%/*}"/lib/*.jar; do
            [[ -e $lib && $lib -nt $archive ]] && fresh=0
        done
    fi
    local strict=()
    [[ -n ${CORRAL_TRACE:-} ]] && export CORRAL_TRACE_EXEC=$EPOCHREALTIME
    if (( fresh )); then
        if (( feature >= 25 )); then
            [[ ${CORRAL_CDS:-on} == strict ]] && strict=(-XX:AOTMode=on)
            exec "$java" "${flags[@]}" -XX:AOTCache="$archive" "${strict[@]}" -jar "$jar" "$@"
        fi
        [[ ${CORRAL_CDS:-on} == strict ]] && strict=(-Xshare:on)
        exec "$java" "${flags[@]}" -XX:SharedArchiveFile="$archive" "${strict[@]}" -Xlog:cds=off,cds+dynamic=off -jar "$jar" "$@"
    fi
    local tmp=$archive.$$.tmp dump
    if (( feature >= 25 )); then dump=(-XX:AOTCacheOutput="$tmp"); else dump=(-XX:ArchiveClassesAtExit="$tmp" -Xlog:cds=off,cds+dynamic=off); fi
    if [[ $train == background ]]; then
        # One trainer at a time: the lock is created atomically (noclobber) and removed when done.
        local lock=$archive.lock
        if ( set -C; : >"$lock" ) 2>/dev/null; then
            (
                trap 'rm -f -- "$lock" "$tmp" "$tmp.config"' EXIT
                "$java" "${flags[@]}" "${dump[@]}" -jar "$jar" ${CORRAL_TRAIN_ARGS:-} >/dev/null 2>&1 </dev/null
                if [[ -s $tmp ]]; then printf '%s\n' "$stamp" >"$stamp_file" && mv -f -- "$tmp" "$archive"; fi
            ) >/dev/null 2>&1 </dev/null &
            disown
        fi
        exec "$java" "${flags[@]}" -jar "$jar" "$@"
    fi
    # JDK 25 records at exit what to cache, and the cache is assembled afterwards in the
    # background: assembling it at exit (AOTCacheOutput) would keep the exiting daemon alive
    # for seconds, and `daemon stop` waits for that.
    (( feature >= 25 )) && dump=(-XX:AOTMode=record -XX:AOTConfiguration="$tmp.config")
    "$java" "${flags[@]}" "${dump[@]}" -jar "$jar" "$@" &
    local child=$! status
    trap 'kill -TERM $child 2>/dev/null' TERM INT HUP
    while true; do
        wait "$child"; status=$?
        kill -0 "$child" 2>/dev/null || break
    done
    trap - TERM INT HUP
    if (( feature >= 25 )); then
        if [[ -s $tmp.config ]]; then
            (
                trap 'rm -f -- "$tmp" "$tmp.config"' EXIT
                "$java" "${flags[@]}" -XX:AOTMode=create -XX:AOTConfiguration="$tmp.config" -XX:AOTCache="$tmp" -jar "$jar"
                if [[ -s $tmp ]]; then printf '%s\n' "$stamp" >"$stamp_file" && mv -f -- "$tmp" "$archive"; fi
            ) >/dev/null 2>&1 </dev/null &
            disown
        else
            rm -f -- "$tmp.config"
        fi
    elif [[ -s $tmp ]]; then
        printf '%s\n' "$stamp" >"$stamp_file" && mv -f -- "$tmp" "$archive"
    else
        rm -f -- "$tmp"
    fi
    exit "$status"
}
