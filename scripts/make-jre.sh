#!/usr/bin/env bash
# Builds a small Java runtime for GPU nodes that have no JDK: jlink from the JDK 25 that
# scripts/find-java.sh finds, packed as .jre.tar.xz (xz -9) at the project root (git-ignored;
# scripts/gpu-check.sh unpacks it when the node has no Java 25).
#   scripts/make-jre.sh            ADL_JRE_MODULES="java.base,..." overrides the module list,
#                                  ADL_JRE_COMPRESS=zip-0 leaves lib/modules uncompressed (xz then
#                                  packs it better: 12.1 MiB instead of 18.1 MiB for java.base)
#
# Modules: the GPU path (devices, selftest, bench search-step) needs only java.base (the FFM API
# for the CUDA bindings lives there). `jdeps --print-module-deps --ignore-missing-deps
# target/adl-engine.jar` also lists java.desktop (adl.train's PNG plots, VectorGraphics2D, the
# GIF encoder, Jackson's optional java.beans support) and java.sql (Jackson's optional java.sql
# types); none of them is loaded on the GPU path, so they stay out. jdk.crypto.ec, jdk.zipfs,
# jdk.management and the rest are not used at all.
set -euo pipefail
ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/find-java.sh
. "$ROOT/scripts/find-java.sh"
adl_find_java || exit 1
JLINK="$ADL_JAVA_HOME/bin/jlink"
[ -x "$JLINK" ] || { echo "make-jre: $ADL_JAVA_HOME has no jlink: needs a JDK $ADL_MIN_JAVA, not a JRE" >&2; exit 1; }
MODULES=${ADL_JRE_MODULES:-java.base}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$JLINK" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress="${ADL_JRE_COMPRESS:-zip-9}" \
    --output "$work/jre"
tar -C "$work" -cf - jre | xz -9 -T1 > "$ROOT/.jre.tar.xz.tmp"
mv "$ROOT/.jre.tar.xz.tmp" "$ROOT/.jre.tar.xz"
echo "make-jre: $ROOT/.jre.tar.xz ($(du -k "$ROOT/.jre.tar.xz" | cut -f1) KiB; modules $MODULES; from $ADL_JAVA_HOME; unpacked $(du -sk "$work/jre" | cut -f1) KiB)"
