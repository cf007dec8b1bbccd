#!/usr/bin/env bash
# Prepares the GPU check (docs/testing.md, "On a GPU"): builds the project, gathers the runtime and test class path
# (the CUDA parity tests of groundingdino-core and groundingdino-sam, the DeviceProfile benchmark), the JUnit console
# launcher, the golden data and the Python baseline, and packs them with ../shared/gpu/make-bundle.sh into
# .gpu/p00, .gpu/p01, ... (60 MiB pieces); copies on-device.sh and check.sh into .gpu/scripts.
#
#   tools/gpu/prepare.sh            (SHARED=/path/to/shared if it is not ../shared)
#
# Then upload the pieces one per call and run .gpu/scripts/check.sh there (tools/gpu/README.md).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
shared=${SHARED:-$root/../shared}
junit_version=$(sed -n 's:.*<junit.version>5\.\([0-9.]*\)</junit.version>.*:1.\1:p' pom.xml)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mvn -B -q -DskipTests install
# the runtime and test class path of groundingdino-sam (core, its test jar, JUnit, AssertJ, Jackson, ...)
mvn -B -q dependency:copy-dependencies -pl groundingdino-sam -DincludeScope=test -DoutputDirectory="$stage/lib"
cp groundingdino-sam/target/groundingdino-sam-*-SNAPSHOT.jar "$stage/lib/"
jar cf "$stage/lib/groundingdino-sam-tests.jar" -C groundingdino-sam/target/test-classes .
cp groundingdino-bench/target/groundingdino-bench-*-SNAPSHOT.jar "$stage/lib/"
console=org/junit/platform/junit-platform-console-standalone/$junit_version/junit-platform-console-standalone-$junit_version.jar
[ -f ~/.m2/repository/$console ] || mvn -B -q dependency:get \
    -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit_version
mkdir -p "$stage/tools"
cp ~/.m2/repository/$console "$stage/tools/junit-console.jar"
cp tools/gpu/python_baseline.py "$stage/tools/"
mkdir -p "$stage/golden"
for g in README.md NOTES.md bert-base-uncased-vocab.txt suite_shared.json images gdino sam sam2 hf; do
  cp -r "$shared/golden/$g" "$stage/golden/"
done

bash "$shared/gpu/make-bundle.sh" "$stage/lib" "$stage/tools" "$stage/golden"
mkdir -p .gpu/scripts
cp "$shared/gpu/on-device.sh" tools/gpu/check.sh .gpu/scripts/
echo "ready: $(ls -d .gpu/p* | wc -l) pieces and .gpu/scripts/{on-device.sh,check.sh}"
