#!/usr/bin/env bash
# Images per second of `gdino detect --dir` (one Detector, all cores) against `gdino spark-label --master local[N]`
# on the same images (dev.groundingdino.spark.bench.LocalThroughput), the configurations interleaved over ROUNDS
# rounds so that a busy machine slows them alike; see docs/performance.md#apache-spark-local-mode.
#   groundingdino-spark/run-benchmark.sh                          # the golden tiny model, 2 cores
#   WEIGHTS=full.safetensors CONFIG= COPIES=1 groundingdino-spark/run-benchmark.sh
# Build first: mvn -B -DskipTests package. Env: WEIGHTS, CONFIG, IMAGES, COPIES, CORES, RUNS, ROUNDS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
golden="$here/../../shared/golden"
weights="${WEIGHTS-$golden/gdino/tiny_seed0/gdino.pth}"
config="${CONFIG-$golden/gdino/tiny_seed0/config.json}"
images="${IMAGES:-$golden/images}"
cores="${CORES:-2}"
target="$here/target"
run() {
  # shellcheck disable=SC2046 # Spark's JVM options, one word each
  OPENBLAS_NUM_THREADS=1 java $(cat "$target/spark-jvm.options") -Xmx4g \
    -cp "$target/groundingdino-spark.jar:$target/lib/*" dev.groundingdino.spark.bench.LocalThroughput \
    --images "$images" --copies "${COPIES:-2}" --weights "$weights" ${config:+--config "$config"} \
    --runs "${RUNS:-3}" "$@" 2>/dev/null | grep '^mode='
}
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "${ROUNDS:-2}"); do
  run --mode single                                          # gdino detect: libtorch's default threads
  run --mode single --threads 1                              # the same with one libtorch thread
  run --mode spark --cores "$cores" --threads 0              # one libtorch thread per task (the default)
  run --mode spark --cores "$cores" --threads "$cores"       # every task all cores: oversubscribed
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
