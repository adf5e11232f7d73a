#!/usr/bin/env bash
# Builds a small Java runtime for GPU nodes that have no JDK: jlink from the JDK 25 that
# scripts/find-java.sh finds, packed as .jre.tar.gz (gzip -9; unpacks with plain tar, no xz) at
# the project root (git-ignored; scripts/gpu-check.sh unpacks it when the node has no Java 25).
#   scripts/make-jre.sh            build the jar first: mvn -B -o -q package -DskipTests
#   ADL_JRE_MODULES="java.base,..."  replaces the module list (default: what jdeps says, below)
#   ADL_JRE_COMPRESS=zip-9         jlink's compression of lib/modules (default zip-0: gzip then
#                                  packs it better, about 31 MiB instead of 38 MiB)
#
# Modules: derived from the jar at build time with
#   jdeps --print-module-deps --ignore-missing-deps --multi-release 25 target/adl-engine.jar
# (java.base for FFM and the engine, java.management and jdk.management for the HeapGuard of
# bench search-step, search and retrain (it sets the manageable heap-free ratios at startup),
# java.desktop for the PNG/GIF plots, java.sql for Jackson's optional types).
# Nothing that jdeps lists is dropped: a command that loads a missing module dies with
# NoClassDefFoundError, which only a run with this runtime shows (scripts/gpu-check.sh's rehearsal).
set -euo pipefail
ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/find-java.sh
. "$ROOT/scripts/find-java.sh"
adl_find_java || exit 1
JLINK="$ADL_JAVA_HOME/bin/jlink" JDEPS="$ADL_JAVA_HOME/bin/jdeps"
[ -x "$JLINK" ] && [ -x "$JDEPS" ] || { echo "make-jre: $ADL_JAVA_HOME has no jlink/jdeps: needs a JDK $ADL_MIN_JAVA, not a JRE" >&2; exit 1; }
JAR="$ROOT/target/adl-engine.jar"
if [ -n "${ADL_JRE_MODULES:-}" ]; then
    MODULES=$ADL_JRE_MODULES
else
    [ -f "$JAR" ] || { echo "make-jre: $JAR is missing (jdeps reads the modules from it): build it with mvn -B -o -q package -DskipTests" >&2; exit 1; }
    MODULES=$("$JDEPS" --print-module-deps --ignore-missing-deps --multi-release "$ADL_MIN_JAVA" "$JAR" | tail -n 1)
    case "$MODULES" in java.base*) ;; *) echo "make-jre: jdeps gave no module list for $JAR (got: $MODULES)" >&2; exit 1 ;; esac
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$JLINK" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress="${ADL_JRE_COMPRESS:-zip-0}" \
    --output "$work/jre"
tar -C "$work" -cf - jre | gzip -9 > "$ROOT/.jre.tar.gz.tmp"
mv "$ROOT/.jre.tar.gz.tmp" "$ROOT/.jre.tar.gz"
echo "make-jre: $ROOT/.jre.tar.gz ($(du -k "$ROOT/.jre.tar.gz" | cut -f1) KiB; modules $MODULES; from $ADL_JAVA_HOME; unpacked $(du -sk "$work/jre" | cut -f1) KiB)"
