#!/usr/bin/env bash
# bench/run.sh [quick|full] [JMH arguments...]
# Builds the engine jar (root pom, tests skipped) and the JMH jar (bench/pom.xml), then runs the
# suites with the Java 25 that scripts/find-java.sh finds, and writes under bench/target/results/:
# jmh.txt (JMH's console), jmh.json (-rf json), report.md (tables from report.py), uptime-*.txt.
#   quick (default): 1 fork, 2 × 0.5 s warm-up, 3 × 0.5 s measurement per case (184 CPU cases, ~10 min on 2 cores)
#   full:            2 forks, 5 × 1 s warm-up, 10 × 1 s measurement per case (~1 h)
# Extra arguments go to JMH, e.g. a benchmark regex and parameters:
#   bench/run.sh quick WeightedSum -p level=0
# CUDA variants run only when CUDA device 0 is usable; otherwise one line says why they are skipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/find-java.sh
. "$root/scripts/find-java.sh"
adl_find_java || exit 1
adl_use_java

mode=${1:-quick}
[ $# -gt 0 ] && shift
case "$mode" in
    quick) opts=(-f 1 -wi 2 -w 500ms -i 3 -r 500ms) ;;
    full) opts=(-f 2 -wi 5 -w 1s -i 10 -r 1s) ;;
    *) echo "usage: bench/run.sh [quick|full] [JMH arguments...]" >&2; exit 2 ;;
esac

echo "bench: building the engine jar (target/adl-engine.jar)"
(cd "$root" && { mvn -q -B -o package -DskipTests || mvn -q -B package -DskipTests; })
echo "bench: building the JMH jar (bench/target/benchmarks.jar)"
(cd "$root/bench" && { mvn -q -B -o package || mvn -q -B package; })

cp="$root/bench/target/benchmarks.jar:$root/target/adl-engine.jar"
java=("$ADL_JAVA_BIN" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
probe=$("${java[@]}" -cp "$cp" adl.bench.jmh.GpuProbe)
if [ "$probe" = cuda ]; then
    devices=cpu,cuda
else
    echo "bench: $probe; CUDA variants skipped"
    devices=cpu
fi

out="$root/bench/target/results"
mkdir -p "$out"
uptime | tee "$out/uptime-before.txt"
"${java[@]}" -cp "$cp" org.openjdk.jmh.Main "${opts[@]}" -p device="$devices" \
    -rf json -rff "$out/jmh.json" "$@" | tee "$out/jmh.txt"
uptime | tee "$out/uptime-after.txt"
python3 "$root/bench/report.py" "$out/jmh.json" | tee "$out/report.md"
echo "bench: results in $out"
