#!/usr/bin/env bash
# Builds groundingdino-bench/target/benchmarks.jar, runs the JMH benchmarks and the forward profiles (latency per
# stage, GFLOP/s, peak RSS) and writes a Markdown report to groundingdino-bench/target/results/benchmarks.md.
#
# Usage: groundingdino-bench/run-benchmarks.sh [JMH benchmark regex] [extra JMH options]
#   e.g. groundingdino-bench/run-benchmarks.sh                    # everything (about 30 minutes on 2 cores)
#        groundingdino-bench/run-benchmarks.sh ForwardBenchmark -p precision=BF16
# Environment: BUILD_DIR (Maven output folder, default target), MVN_OPTS (e.g. -o for offline builds),
#              JAR (run this jar instead), SKIP_BUILD=1 (reuse the jar), SKIP_PROFILES=1 (JMH only), RESULTS (output folder, default groundingdino-bench/$BUILD_DIR/results),
#              SOAK=N (also run N detections through the public API and record resident memory: soak.csv, soak.svg;
#              about 40 minutes for N=1000 on 2 cores), MEMORY_TESTS=1 (also the test suite's long native-memory runs,
#              `mvn -Pmemory-tests -Dgroups=memory test`: load/close cycles, 200 forwards, the SAM soak).
# Timings on a shared machine are noisy: the report gives medians of several iterations; repeat the run and compare.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${BUILD_DIR:-target}"
RESULTS="${RESULTS:-$ROOT/groundingdino-bench/$BUILD_DIR/results}"
JAR="${JAR:-$ROOT/groundingdino-bench/$BUILD_DIR/benchmarks.jar}"
mkdir -p "$RESULTS"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  mvn -B -q ${MVN_OPTS:-} -pl groundingdino-bench -am -Dbuild.dir="$BUILD_DIR" package -DskipTests
fi

if [[ "${MEMORY_TESTS:-0}" == "1" ]]; then
  mvn -B ${MVN_OPTS:-} -Pmemory-tests -Dgroups=memory -Dsurefire.failIfNoSpecifiedTests=false \
    -pl groundingdino-core,groundingdino-sam -am test | tee "$RESULTS/memory-tests.txt"
fi

PATTERN="${1:-}"
shift || true
java -jar "$JAR" ${PATTERN:+"$PATTERN"} -rf json -rff "$RESULTS/jmh.json" "$@" | tee "$RESULTS/jmh.txt"

PROFILES=()
if [[ "${SKIP_PROFILES:-0}" != "1" ]]; then
  for precision in fp32 bf16; do
    flag=""
    [[ "$precision" == "bf16" ]] && flag="--bf16"
    for size in 800x600 1920x1080; do
      out="$RESULTS/profile-$size-$precision.txt"
      java -Xmx2g -cp "$JAR" dev.groundingdino.bench.ForwardProfile --size "$size" --runs 5 --warmup 1 $flag > "$out" 2>&1
      PROFILES+=("$out")
    done
    out="$RESULTS/profile-800x600-batch10-$precision.txt"
    java -Xmx2g -cp "$JAR" dev.groundingdino.bench.ForwardProfile --size 800x600 --batch 10 --runs 3 --warmup 1 $flag \
      > "$out" 2>&1
    PROFILES+=("$out")
  done
fi

if [[ "${SKIP_PROFILES:-0}" != "1" ]]; then
  java -Xmx1g -cp "$JAR" dev.groundingdino.bench.SamProfile --runs 5 --warmup 1 > "$RESULTS/profile-sam-vit_b.txt" 2>&1
  PROFILES+=("$RESULTS/profile-sam-vit_b.txt")
fi

if [[ -n "${SOAK:-}" ]]; then
  java -Xmx1g -cp "$JAR" dev.groundingdino.bench.DetectorSoak --detections "$SOAK" --csv "$RESULTS/soak.csv" \
    > "$RESULTS/soak.txt" 2>&1
  java -cp "$JAR" dev.groundingdino.bench.SoakChart "$RESULTS/soak.csv" "$RESULTS/soak.svg"
  PROFILES+=("$RESULTS/soak.txt")
fi

java -cp "$JAR" dev.groundingdino.bench.ResultsTable "$RESULTS/jmh.json" ${PROFILES[@]+"${PROFILES[@]}"} \
  > "$RESULTS/benchmarks.md"
echo "wrote $RESULTS/benchmarks.md"
