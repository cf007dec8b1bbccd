#!/usr/bin/env bash
# Runs ON the GPU machine inside the unpacked bundle (through on-device.sh, which sets $JAVA and the CUDA library
# path): the CUDA parity tests, the Python stack's baseline, then the Java end-to-end profile. Everything goes to
# $OUT (results.txt, junit/, python.tsv, java.tsv). Budget: about 6 minutes on an H200.
#
#   R=$PWD; bash .gpu/scripts/on-device.sh bash $R/.gpu/scripts/check.sh
set -u
out=${OUT:-/tmp/out}
mkdir -p "$out"
log=$out/results.txt
{
  echo "== machine"; date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  lscpu | grep -E '^(Model name|CPU\(s\)):'
  $JAVA -version 2>&1 | head -1
} >> "$log" 2>&1

echo "== CUDA parity tests (JUnit)" >> "$log"
timeout 240 $JAVA -Dgroundingdino.golden=golden -cp "tools/junit-console.jar:lib/*" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors --details=tree \
    --select-class dev.groundingdino.CudaParityTest --select-class dev.groundingdino.sam.CudaParityTest \
    --reports-dir "$out/junit" >> "$log" 2>&1
echo "junit exit $?" >> "$log"

echo "== Python baseline (transformers, same GPU)" >> "$log"
timeout 150 python3 tools/python_baseline.py --image golden/images/cat_dog.jpeg --out "$out/python.tsv" \
    >> "$log" 2>&1
echo "python exit $?" >> "$log"

echo "== Java end to end (DeviceProfile)" >> "$log"
timeout 240 $JAVA -cp "lib/*" dev.groundingdino.bench.DeviceProfile --device CUDA --precision FP32,FP16 \
    --image golden/images/cat_dog.jpeg --runs 20 --batch 10 --out "$out/java.tsv" >> "$log" 2>&1
echo "java exit $?" >> "$log"
cat "$log"
