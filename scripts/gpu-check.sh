#!/usr/bin/env bash
# GPU node check, for a node without network and possibly without a JDK:
#   scripts/gpu-check.sh OUTDIR
# Needs only target/adl-engine.jar (mvn -B -o -q package -DskipTests), scripts/ and, when the node
# has no Java 25, the bundled runtime: an unpacked .jre/ or .jre.tar.gz (scripts/make-jre.sh; plain
# tar + gzip, no xz). Steps, in this order, each under `timeout`, logged to OUTDIR/<step>.log:
#   discovery      nvidia-smi, the environment, ldconfig -p and a time-limited find of libcudnn.so.9 /
#                  libcublas.so.* / libcuda.so.1 under /usr, /opt and the Python site folders
#   devices        adl devices (driver version, device, cuDNN and cuBLAS with versions and folders);
#                  when it finds no cuDNN/cuBLAS/driver and ADL_CUDA_LIB_DIR is unset, the folders the
#                  find found become ADL_CUDA_LIB_DIR and `devices` runs again (step devices-discovered)
#   selftest-cuda  adl selftest --device cuda under CUDA_LAUNCH_BLOCKING=1 (each check's name is
#                  flushed before it runs, so a crash or hang names the check)
#   for each crop: search-step-adl-<crop> then search-step-adl-graphs-<crop> (--cuda-graphs)
#   for each crop: search-step-torch-<crop> (scripts/search_step_torch.py) when a python3 with a
#                  CUDA-enabled torch exists
# Every java command writes a crash report to OUTDIR/hs_err_<pid>.log (-XX:ErrorFile) and report.md
# quotes its "Problematic frame". OUTDIR/report.md holds every section even when steps failed.
# Exit 0 when the report was written.
#   ADL_GPU_CHECK_BUDGET=300       budget in seconds for everything from the start (unpacking,
#                                  discovery, steps, the torch probe); at most 420, so with the
#                                  5 s kill grace and the report the check stays within 8 minutes
#   ADL_GPU_CHECK_CROPS="64 321"   the crops of the search-step comparisons, in order
#   ADL_GPU_CHECK_BENCH_ARGS=...   extra arguments for every search-step run (adl and PyTorch), e.g.
#                                  the mock rehearsal's "--layers 2 --blocks 2 --filter-multiplier 2
#                                  --iters 1 --warmup 1" (not --crop: that is ADL_GPU_CHECK_CROPS)
#   ADL_PYTHON=/path/to/python3    the Python for the PyTorch peer (default: python3, /usr/bin/python3)
#   ADL_JAVA=none                  refuse installed Javas: always use the bundled runtime
#   ADL_CUDA_LIB_DIR=DIR[:DIR]     where the CUDA libraries are (skips the discovery's choice)
set -uo pipefail
ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: scripts/gpu-check.sh OUTDIR" >&2; exit 2; }
OUT=$1
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)
JAR="$ROOT/target/adl-engine.jar"
if [ ! -f "$JAR" ]; then
    echo "gpu-check: $JAR is missing: build it where Maven works (mvn -B -o -q package -DskipTests) and copy the tree here" >&2
    exit 1
fi
BUDGET=${ADL_GPU_CHECK_BUDGET:-300}
[ "$BUDGET" -le 420 ] 2>/dev/null || BUDGET=420
CROPS=${ADL_GPU_CHECK_CROPS:-64 321}
read -r -a BENCH_ARGS <<<"${ADL_GPU_CHECK_BENCH_ARGS:-}"
START=$(date +%s)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- Java: an installed 25, else the bundled runtime (.jre/ carried unpacked, or .jre.tar.gz) ----
# shellcheck source=scripts/find-java.sh
. "$ROOT/scripts/find-java.sh"
if adl_find_java 2>"$TMP/find-java.err"; then
    JAVA=$ADL_JAVA_BIN JAVA_FROM="installed ($ADL_JAVA_HOME)"
elif [ -x "$ROOT/.jre/bin/java" ]; then
    JAVA="$ROOT/.jre/bin/java" JAVA_FROM="bundled .jre/ (no Java 25 installed: $(cat "$TMP/find-java.err"))"
elif [ -f "$ROOT/.jre.tar.gz" ]; then
    if ! tar -C "$TMP" -xzf "$ROOT/.jre.tar.gz"; then
        echo "gpu-check: cannot unpack $ROOT/.jre.tar.gz" >&2
        exit 1
    fi
    JAVA="$TMP/jre/bin/java" JAVA_FROM="bundled .jre.tar.gz (no Java 25 installed: $(cat "$TMP/find-java.err"))"
else
    echo "gpu-check: no Java 25 ($(cat "$TMP/find-java.err")) and no .jre/ or .jre.tar.gz at $ROOT (make it with scripts/make-jre.sh)" >&2
    exit 1
fi
JVM_OPTS=("-XX:ErrorFile=$OUT/hs_err_%p.log" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmn16m)
JAVA_VERSION=$("$JAVA" "-XX:ErrorFile=$OUT/hs_err_%p.log" -version 2>&1 | head -n 1)
ADL=("$JAVA" "${JVM_OPTS[@]}" -jar "$JAR")

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
    echo "gpu-check: $name (at most ${max}s) ..." >&2
    t0=$(date +%s%N)
    timeout --kill-after=5 "$max" "$@" >"$OUT/$name.log" 2>&1
    rc=$?
    secs=$(( ($(date +%s%N) - t0) / 100000000 ))
    secs="$((secs / 10)).$((secs % 10))"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then note="timed out after ${max}s"; fi
    if grep -q '^# Problematic frame:' "$OUT/$name.log" 2>/dev/null; then note="${note:+$note; }JVM crash (see Crashes)"; fi
    STEPS+=("$name|$rc|$secs|$note")
    RC[$name]=$rc
    echo "gpu-check: $name: exit $rc in ${secs}s${note:+ ($note)}" >&2
}

# ---- discovery: what the node has, and where the CUDA libraries are (bounded) ----
discovery() {
    echo "## nvidia-smi"
    if command -v nvidia-smi >/dev/null 2>&1; then timeout 15 nvidia-smi 2>&1 || echo "(nvidia-smi exit $?)"; else echo "not on PATH"; fi
    echo "## environment (values of names with TOKEN, SECRET, PASSWORD or KEY hidden)"
    env | sort | sed -E 's/^([^=]*(TOKEN|SECRET|PASSWORD|PASSWD|KEY)[^=]*)=.*/\1=<hidden>/I'
    echo "## ldconfig -p (CUDA libraries)"
    (timeout 10 ldconfig -p 2>/dev/null || timeout 10 /sbin/ldconfig -p 2>/dev/null) | grep -E 'libcuda\.so|libcudnn|libcublas' || echo "none"
    echo "## Python site folders"
    local sites="" py
    for py in ${ADL_PYTHON:+"$ADL_PYTHON"} python3 /usr/bin/python3; do
        command -v "$py" >/dev/null 2>&1 || continue
        sites="$sites $(timeout 10 "$py" -c 'import site; print(" ".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null)"
    done
    echo "${sites:- none}"
    echo "## find (20 s at most) of libcudnn.so.9, libcublas.so.*, libcuda.so.1"
    local roots=() d
    for d in /usr /opt $sites; do [ -d "$d" ] && roots+=("$d"); done
    timeout 20 find "${roots[@]}" \( -name 'libcudnn.so.9' -o -name 'libcublas.so.1[0-9]' -o -name 'libcuda.so.1' \) \
        \( -type f -o -type l \) 2>/dev/null | sort -u | tee "$TMP/found"
    [ -s "$TMP/found" ] || echo "none found"
}
discovery_start=$(date +%s%N)
discovery >"$OUT/discovery.log" 2>&1
secs=$(( ($(date +%s%N) - discovery_start) / 100000000 ))
STEPS+=("discovery|0|$((secs / 10)).$((secs % 10))|")
RC[discovery]=0

step devices 30 "${ADL[@]}" devices
LIB_DIR_FROM="${ADL_CUDA_LIB_DIR:+ADL_CUDA_LIB_DIR given: $ADL_CUDA_LIB_DIR}"
if [ -z "${ADL_CUDA_LIB_DIR:-}" ] && grep -qE '^(CUDA|cuDNN|cuBLAS): not available' "$OUT/devices.log" 2>/dev/null \
    && [ -s "$TMP/found" ]; then
    # the default search missed something the find saw: cuDNN's folder first, then cuBLAS's, then the
    # driver's only when no driver was found (never a toolkit's stubs/ or compat/ copy of it)
    dirs="" patterns=('libcudnn.so.9$' 'libcublas.so.1[0-9]$')
    grep -q '^CUDA: not available' "$OUT/devices.log" && patterns+=('libcuda.so.1$')
    for pattern in "${patterns[@]}"; do
        while read -r f; do
            case "$f" in */stubs/* | */compat/*) continue ;; esac
            d=$(dirname "$f")
            case ":$dirs:" in *":$d:"*) ;; *) dirs="${dirs:+$dirs:}$d" ;; esac
        done < <(grep -E "$pattern" "$TMP/found")
    done
    if [ -n "$dirs" ]; then
        export ADL_CUDA_LIB_DIR=$dirs
        LIB_DIR_FROM="set by the discovery: ADL_CUDA_LIB_DIR=$dirs"
        echo "gpu-check: $LIB_DIR_FROM" >&2
        step devices-discovered 30 "${ADL[@]}" devices
    fi
fi
LIB_DIR_FROM=${LIB_DIR_FROM:-"ADL_CUDA_LIB_DIR unset (the default search)"}

step selftest-cuda 120 env CUDA_LAUNCH_BLOCKING=1 "${ADL[@]}" selftest --device cuda
for crop in $CROPS; do
    step "search-step-adl-$crop" 60 "${ADL[@]}" bench search-step --device cuda --crop "$crop" --batch 2 "${BENCH_ARGS[@]}"
    step "search-step-adl-graphs-$crop" 60 "${ADL[@]}" bench search-step --device cuda --cuda-graphs --crop "$crop" --batch 2 "${BENCH_ARGS[@]}"
done

PY="" TORCH_WHY="" probed="|"
for cand in ${ADL_PYTHON:+"$ADL_PYTHON"} python3 /usr/bin/python3; do
    command -v "$cand" >/dev/null 2>&1 || continue
    real=$(readlink -f "$(command -v "$cand")" 2>/dev/null || command -v "$cand")
    case "$probed" in *"|$real|"*) continue ;; esac
    probed="$probed$real|"
    left=$((BUDGET - ($(date +%s) - START)))
    if [ "$left" -lt 20 ]; then TORCH_WHY="the ${BUDGET}s budget was spent before the torch probe"; break; fi
    limit=30
    [ "$left" -ge 40 ] || limit=$((left - 10))
    probe=$(timeout "$limit" "$cand" -c 'import torch; print(torch.__version__, torch.cuda.is_available())' 2>/dev/null)
    case "$?:$probe" in
        0:*True) PY=$cand; break ;;
        0:*) TORCH_WHY="torch ${probe% *} at $(command -v "$cand") sees no CUDA device" ;;
        124:*) TORCH_WHY="importing torch with $(command -v "$cand") took over ${limit} s" ;;
    esac
done
for crop in $CROPS; do
    if [ -n "$PY" ]; then
        step "search-step-torch-$crop" 60 "$PY" "$ROOT/scripts/search_step_torch.py" --device cuda --crop "$crop" --batch 2 "${BENCH_ARGS[@]}"
    else
        SKIPPED+=("search-step-torch-$crop: ${TORCH_WHY:-no python3 with torch (set ADL_PYTHON)}")
    fi
done

# ---- report (every section, whatever failed) ----
last_match() { [ -f "$OUT/$1.log" ] && grep -E "$2" "$OUT/$1.log" | tail -n 1; }
first_line() { [ -f "$OUT/$1.log" ] && grep -v '^\s*$' "$OUT/$1.log" | head -n 1; }
result() { # the summary line (matching $2), else the exit code and the log's first line (the error)
    local r
    r=$(last_match "$1" "$2") || r=""
    if [ -n "$r" ]; then printf '%s' "$r"; return; fi
    [ -n "${RC[$1]:-}" ] || { printf 'skipped (see Skipped)'; return; }
    case "${RC[$1]}" in
        124 | 137) printf 'timed out (exit %s); log ends: %s' "${RC[$1]}" "$(tail -n 1 "$OUT/$1.log" 2>/dev/null | cut -c1-200)" ;;
        *) printf 'failed (exit %s): %s' "${RC[$1]}" "$(first_line "$1" | cut -c1-300 || true)" ;;
    esac
}
devlog="$OUT/devices.log"
[ -f "$OUT/devices-discovered.log" ] && devlog="$OUT/devices-discovered.log"
{
    echo "# GPU check"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), host: $(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null)"
    echo "- java: $JAVA_VERSION — $JAVA_FROM"
    echo "- jar: target/adl-engine.jar ($(du -k "$JAR" | cut -f1) KiB)"
    echo "- crops: $CROPS; extra search-step arguments: ${ADL_GPU_CHECK_BENCH_ARGS:-none}"
    echo
    echo "## Device"
    echo
    if grep -qE '^(CUDA|  cuda:|cuDNN|cuBLAS)' "$devlog" 2>/dev/null; then
        grep -E '^(CUDA|  cuda:|cuDNN|cuBLAS)' "$devlog" | sed 's/^ */- /'
    else
        echo "- devices: $(result "$(basename "$devlog" .log)" '^CUDA')"
    fi
    echo "- nvidia-smi: $( (timeout 10 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'not available') | head -n 1)"
    echo "- libraries: $LIB_DIR_FROM (discovery.log: ldconfig, find, environment)"
    echo
    echo "## Selftest (--device cuda, CUDA_LAUNCH_BLOCKING=1)"
    echo
    echo "    $(result selftest-cuda '^selftest: passed=')"
    grep -E ' FAIL$' -A 6 "$OUT/selftest-cuda.log" 2>/dev/null | head -n 40 | sed 's/^/    /' || true
    grep -E '^selftest: cuda' "$OUT/selftest-cuda.log" 2>/dev/null | sed 's/^/    /' || true
    if [ -n "${RC[selftest-cuda]:-}" ] && [ "${RC[selftest-cuda]}" -ne 0 ] && ! grep -q '^selftest: passed=' "$OUT/selftest-cuda.log"; then
        echo "    last check started: $(grep -vE '^(selftest:|    |#|adl mock GPU:)' "$OUT/selftest-cuda.log" | grep -vE '(PASS|FAIL|\))$' | tail -n 1 | cut -c1-48)"
    fi
    echo
    echo "## Search step (batch 2; by default the median of 5 after 2 warm-up iterations; --cuda-graphs: after 3, all replays)"
    echo
    echo "| crop | adl-engine | adl-engine --cuda-graphs | PyTorch |"
    echo "|---|---|---|---|"
    for crop in $CROPS; do
        echo "| $crop | $(result "search-step-adl-$crop" '^search-step: ') | $(result "search-step-adl-graphs-$crop" '^search-step: ') | $(result "search-step-torch-$crop" '^search-step: ') |"
    done
    echo
    echo "## Crashes"
    echo
    crashed=0
    for s in "${STEPS[@]}"; do
        IFS='|' read -r n _ <<<"$s"
        frame=$(grep -A 1 '^# Problematic frame:' "$OUT/$n.log" 2>/dev/null | tail -n 1)
        [ -n "$frame" ] || continue
        crashed=1
        echo "- $n: problematic frame \`${frame#\# }\`"
    done
    for f in "$OUT"/hs_err_*.log; do
        [ -f "$f" ] || continue
        crashed=1
        echo "- $(basename "$f"): $(grep -A 1 '^# Problematic frame:' "$f" | tail -n 1 | sed 's/^# //')"
    done
    [ "$crashed" -eq 1 ] || echo "none"
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
    echo "Total: $(( $(date +%s) - START ))s (budget ${BUDGET}s). Logs: $OUT/<step>.log"
    echo
    echo "## Skipped"
    echo
    if [ ${#SKIPPED[@]} -gt 0 ]; then
        for s in "${SKIPPED[@]}"; do echo "- $s"; done
    else
        echo "none"
    fi
} >"$OUT/report.md"
echo "gpu-check: report at $OUT/report.md" >&2
