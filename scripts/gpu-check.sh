#!/usr/bin/env bash
# GPU node check, for a node without network and possibly without a JDK:
#   scripts/gpu-check.sh OUTDIR
# Uses a Java 25 found by scripts/find-java.sh, else unpacks .jre.tar.xz (scripts/make-jre.sh)
# into a temporary folder. Runs target/adl-engine.jar (build it first: mvn -B -o package -DskipTests)
# within a 4-minute overall budget, each step under `timeout` and logged to OUTDIR/<step>.log:
# devices; selftest --device cuda; bench search-step --device cuda at crop 321 and 64 (batch 2);
# the PyTorch peer scripts/search_step_torch.py at the same two configurations when a python3
# with a CUDA-enabled torch exists; then the same bench with --cuda-graphs (replays of the captured
# iteration; off by default elsewhere) at crop 321 and 64. Writes OUTDIR/report.md. Exit 0 when
# the report was written.
#   ADL_PYTHON=/path/to/python3   the Python for the PyTorch peer (default: python3, /usr/bin/python3)
#   ADL_GPU_CHECK_BUDGET=240      overall budget in seconds
#   ADL_JAVA=none                 refuse installed Javas: always use the bundled runtime
set -uo pipefail
ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: scripts/gpu-check.sh OUTDIR" >&2; exit 2; }
OUT=$1
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)
JAR="$ROOT/target/adl-engine.jar"
if [ ! -f "$JAR" ]; then
    echo "gpu-check: $JAR is missing: build it where Maven works (mvn -B -o package -DskipTests) and copy the tree here" >&2
    exit 1
fi
BUDGET=${ADL_GPU_CHECK_BUDGET:-240}
START=$(date +%s)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- Java: an installed 25, else the bundled runtime ----
# shellcheck source=scripts/find-java.sh
. "$ROOT/scripts/find-java.sh"
if adl_find_java 2>"$TMP/find-java.err"; then
    JAVA=$ADL_JAVA_BIN JAVA_FROM="installed ($ADL_JAVA_HOME)"
elif [ -f "$ROOT/.jre.tar.xz" ]; then
    if ! tar -C "$TMP" -xJf "$ROOT/.jre.tar.xz"; then
        echo "gpu-check: cannot unpack $ROOT/.jre.tar.xz" >&2
        exit 1
    fi
    JAVA="$TMP/jre/bin/java" JAVA_FROM="bundled .jre.tar.xz (no Java 25 installed: $(cat "$TMP/find-java.err"))"
else
    echo "gpu-check: no Java 25 ($(cat "$TMP/find-java.err")) and no .jre.tar.xz at $ROOT (make it with scripts/make-jre.sh)" >&2
    exit 1
fi
JAVA_VERSION=$("$JAVA" -version 2>&1 | head -n 1)

STEPS=()   # "name|rc|seconds|note" per step, in order
declare -A RC
SKIPPED=() # "name: why"

# step NAME MAX_SECONDS CMD...: runs CMD under timeout (the smaller of MAX_SECONDS and the budget
# left), stdout+stderr into OUT/NAME.log.
step() {
    local name=$1 max=$2 left t0 rc secs note=""
    shift 2
    left=$((BUDGET - ($(date +%s) - START)))
    if [ "$left" -lt 10 ]; then
        SKIPPED+=("$name: the ${BUDGET}s budget was spent")
        return
    fi
    [ "$max" -le "$left" ] || max=$left
    t0=$(date +%s%N)
    timeout --kill-after=5 "$max" "$@" >"$OUT/$name.log" 2>&1
    rc=$?
    secs=$(( ($(date +%s%N) - t0) / 100000000 ))
    secs="$((secs / 10)).$((secs % 10))"
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && note="timed out after ${max}s"
    STEPS+=("$name|$rc|$secs|$note")
    RC[$name]=$rc
    echo "gpu-check: $name: exit $rc in ${secs}s${note:+ ($note)}" >&2
}

ADL=("$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR")

step devices 30 "${ADL[@]}" devices
step selftest-cuda 60 "${ADL[@]}" selftest --device cuda
for crop in 321 64; do
    step "search-step-adl-$crop" 60 "${ADL[@]}" bench search-step --device cuda --crop "$crop" --batch 2
done

PY="" TORCH_WHY=""
for cand in ${ADL_PYTHON:+"$ADL_PYTHON"} python3 /usr/bin/python3; do
    command -v "$cand" >/dev/null 2>&1 || continue
    probe=$("$cand" -c 'import torch; print(torch.__version__, torch.cuda.is_available())' 2>/dev/null) || continue
    case "$probe" in
        *True) PY=$cand; break ;;
        *) TORCH_WHY="torch ${probe% *} at $(command -v "$cand") sees no CUDA device" ;;
    esac
done
for crop in 321 64; do
    if [ -n "$PY" ]; then
        step "search-step-torch-$crop" 45 "$PY" "$ROOT/scripts/search_step_torch.py" --device cuda --crop "$crop" --batch 2
    else
        SKIPPED+=("search-step-torch-$crop: ${TORCH_WHY:-no python3 with torch (set ADL_PYTHON)}")
    fi
done

for crop in 321 64; do
    step "search-step-adl-graphs-$crop" 60 "${ADL[@]}" bench search-step --device cuda --cuda-graphs --crop "$crop" --batch 2
done

# ---- report ----
last_match() { [ -f "$OUT/$1.log" ] && grep -E "$2" "$OUT/$1.log" | tail -n 1; }
first_line() { [ -f "$OUT/$1.log" ] && grep -v '^\s*$' "$OUT/$1.log" | head -n 1; }
result() { # the summary line (matching $2), else the exit code and the log's first line (the error)
    local r
    r=$(last_match "$1" "$2") || r=""
    if [ -n "$r" ]; then printf '%s' "$r"; return; fi
    [ -n "${RC[$1]:-}" ] || { printf 'skipped (see Skipped)'; return; }
    case "${RC[$1]}" in
        124 | 137) printf 'timed out (exit %s); log starts: %s' "${RC[$1]}" "$(first_line "$1" || true)" ;;
        *) printf 'failed (exit %s): %s' "${RC[$1]}" "$(first_line "$1" || true)" ;;
    esac
}
{
    echo "# GPU check"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), host: $(hostname)"
    echo "- java: $JAVA_VERSION — $JAVA_FROM"
    echo "- jar: target/adl-engine.jar ($(du -k "$JAR" | cut -f1) KiB)"
    echo "- device: $(last_match devices '^(CUDA|  cuda:)' | head -n 1 || true)"
    grep -E '^(  cuda:|cuDNN|cuBLAS)' "$OUT/devices.log" 2>/dev/null | sed 's/^ */  - /' || true
    echo "- nvidia-smi: $( (timeout 10 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'not available') | head -n 1)"
    echo
    echo "## Selftest (--device cuda)"
    echo
    echo "    $(result selftest-cuda '^selftest: passed=')"
    grep -A 6 -E ' FAIL$' "$OUT/selftest-cuda.log" 2>/dev/null | head -n 40 | sed 's/^/    /' || true
    echo
    echo "## Search step (batch 2; median of 5 after 2 warm-up iterations; --cuda-graphs: after 3, all replays)"
    echo
    echo "| crop | adl-engine | adl-engine --cuda-graphs | PyTorch |"
    echo "|---|---|---|---|"
    for crop in 321 64; do
        echo "| $crop | $(result "search-step-adl-$crop" '^search-step: ') | $(result "search-step-adl-graphs-$crop" '^search-step: ') | $(result "search-step-torch-$crop" '^search-step: ') |"
    done
    echo
    echo "## Steps"
    echo
    echo "| step | exit | seconds | note |"
    echo "|---|---|---|---|"
    for s in "${STEPS[@]}"; do
        IFS='|' read -r n rc secs note <<<"$s"
        echo "| $n | $rc | $secs | $note |"
    done
    echo
    echo "Total: $(( $(date +%s) - START ))s of a ${BUDGET}s budget. Logs: $OUT/<step>.log"
    if [ ${#SKIPPED[@]} -gt 0 ]; then
        echo
        echo "## Skipped"
        echo
        for s in "${SKIPPED[@]}"; do echo "- $s"; done
    fi
} >"$OUT/report.md"
echo "gpu-check: report at $OUT/report.md" >&2
