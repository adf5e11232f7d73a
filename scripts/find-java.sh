# shellcheck shell=bash
# Finds a Java 25+ for ./adl, scripts/test.sh and .ci/run (sourced, not run). The search order:
#   $ADL_JAVA (an explicit choice: used or refused, never skipped), $JAVA_HOME/bin/java, java on
#   PATH, /usr/lib/jvm/*, /opt/java/*, /opt/jdk*, ~/.sdkman/candidates/java/*,
#   /Library/Java/JavaVirtualMachines/*/Contents/Home.
# adl_find_java sets ADL_JAVA_BIN (the java executable) and ADL_JAVA_HOME (its java.home), or
# prints one line saying what to install and returns 1.

ADL_MIN_JAVA=25

# adl_java_probe JAVA: sets _adl_feature (e.g. 17, 25; empty if JAVA does not run) and _adl_home.
adl_java_probe() {
    local out v
    _adl_feature="" _adl_home=""
    [ -x "$1" ] && [ ! -d "$1" ] || return 0
    out=$("$1" -XshowSettings:properties -version 2>&1) || true
    v=$(printf '%s\n' "$out" | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
    if [ -z "$v" ]; then # no -XshowSettings: fall back to the `java -version` banner
        v=$(printf '%s\n' "$out" | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    case "$v" in 1.*) v=${v#1.} ;; esac # 1.8 -> 8
    v=${v%%[!0-9]*}
    _adl_feature=$v
    _adl_home=$(printf '%s\n' "$out" | sed -n 's/^ *java\.home = //p' | head -n 1)
    if [ -z "$_adl_home" ]; then
        _adl_home=$(cd "$(dirname "$1")/.." 2>/dev/null && pwd -P)
    fi
}

adl_find_java() {
    local cand found="" seen="" real
    local install="Install Temurin $ADL_MIN_JAVA (https://adoptium.net) or set ADL_JAVA=/path/to/java"
    if [ -n "${ADL_JAVA:-}" ]; then
        if [ -d "$ADL_JAVA" ] && [ -x "$ADL_JAVA/bin/java" ]; then # a Java home given instead
            ADL_JAVA="$ADL_JAVA/bin/java"
        elif [ "${ADL_JAVA#*/}" = "$ADL_JAVA" ]; then # a command name: look it up on PATH
            ADL_JAVA=$(command -v "$ADL_JAVA" 2>/dev/null || printf '%s' "$ADL_JAVA")
        fi
        adl_java_probe "$ADL_JAVA"
        if [ -n "$_adl_feature" ] && [ "$_adl_feature" -ge "$ADL_MIN_JAVA" ]; then
            ADL_JAVA_BIN=$ADL_JAVA ADL_JAVA_HOME=$_adl_home
            return 0
        fi
        echo "adl: needs Java $ADL_MIN_JAVA (ADL_JAVA=$ADL_JAVA is ${_adl_feature:+Java }${_adl_feature:-not a working java}). $install" >&2
        return 1
    fi
    for cand in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null || true)" \
        /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/jdk*/bin/java \
        "$HOME"/.sdkman/candidates/java/*/bin/java \
        /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
        [ -n "$cand" ] && [ -x "$cand" ] || continue
        real=$(readlink -f "$cand" 2>/dev/null || printf '%s' "$cand")
        case "$seen" in *"|$real|"*) continue ;; esac
        seen="$seen|$real|"
        adl_java_probe "$cand"
        [ -n "$_adl_feature" ] || continue
        if [ "$_adl_feature" -ge "$ADL_MIN_JAVA" ]; then
            ADL_JAVA_BIN=$cand ADL_JAVA_HOME=$_adl_home
            return 0
        fi
        [ -n "$found" ] || found="$_adl_feature at $cand"
    done
    echo "adl: needs Java $ADL_MIN_JAVA (found: ${found:-no java}). $install" >&2
    return 1
}

# adl_use_java: JAVA_HOME for Maven = the found JDK; Maven's own libraries quiet on new JDKs.
adl_use_java() {
    export JAVA_HOME="$ADL_JAVA_HOME"
    case " ${MAVEN_OPTS:-} " in
        *sun-misc-unsafe-memory-access*) ;;
        *) export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
    esac
}
