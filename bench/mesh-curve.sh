#!/usr/bin/env bash
# Held-out accuracy per pair seen, a gradient mesh against one trainer (issue 17, docs/SCALE-OUT.md): a mesh of
# REPLICAS (default 2) replicas on loopback, each training on its share of the synthetic identities (every N-th
# one, as Kafka's identity partitions would split them; MeshCurve), against one trainer on all of them
# (LearningCurve), same total pairs: the trainer at step Nk has seen the pairs the mesh has at its step k. Same
# model, data, batching and evaluation (CurveData); the root of the mesh evaluates. Default loss (softmax), SMALL.
# The schedule is set in pairs seen: the mesh warms up over WARMUP steps (default 50) and anneals over its steps,
# the trainer over N times as many.
#   bench/mesh-curve.sh [mesh-steps] [mesh-eval-every] [extra key=value...]   (defaults 400 and 100)
# ALONE=0 skips the trainer on all identities (to try a mesh setting against a reference already run).
# SAME_STEPS=1 gives the one trainer the mesh's steps and schedule at N times a replica's batch instead (the same
# global batch: scaling out at a fixed global batch, docs/SCALE-OUT.md).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-400}
EVERY=${2:-100}
WARMUP=${WARMUP:-50}
N=${REPLICAS:-2}
shift $(( $# < 2 ? $# : 2 ))
source bench/lib.sh
OUT=bench/target/mesh-curve
mkdir -p "$OUT"
# as bench/lib.sh's bench_classpath: test-compile, since the server module takes the sampler's and the
# trainer's test-jars from the reactor; never installs into ~/.m2
mvn -B -ntp -q -Pbench -pl bench -am test-compile -DskipTests \
    org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.outputFile="$PWD/$OUT/classpath.txt" -Dmdep.includeScope=runtime >"$OUT/maven.log" 2>&1 \
    || { cat "$OUT/maven.log"; exit 1; }
CP="bench/target/classes:$(cat "$OUT/classpath.txt")"
ROWS=$OUT/rows
rm -rf "$ROWS"
trap 'rm -rf /dev/shm/facestream-mesh-curve-*' EXIT
JAVA=(java -Xmx2g -XX:+UseSerialGC --add-opens java.base/sun.nio.ch=ALL-UNNAMED
      -Dorg.eclipse.deeplearning4j.helpers.disable=false -cp "$CP")
COMMON=(trainer.architecture=SMALL curve.valPairs=1000 "$@")
PORT=41401

echo "mesh of $N: $STEPS steps each, evaluated every $EVERY (load $(load_now))"
PIDS=()
for ((i = 0; i < N; i++)); do
    "${JAVA[@]}" -Daeron.dir=/dev/shm/facestream-mesh-curve-$i io.facestream.bench.MeshCurve "${COMMON[@]}" \
        trainer.warmupSteps="$WARMUP" trainer.cosineSteps="$STEPS" curve.steps="$STEPS" curve.evalEvery="$EVERY" \
        curve.shards=$N curve.shard=$i curve.rowsDir="$ROWS" \
        trainer.mesh.enabled=true trainer.mesh.port=$((PORT + i)) trainer.mesh.seeds=127.0.0.1:$PORT \
        trainer.mesh.replicas=$N trainer.mesh.startTimeout=10m >"$OUT/mesh-$i.log" 2>&1 &
    PIDS+=($!)
done
for p in "${PIDS[@]}"; do
    wait "$p" || { echo "a mesh replica failed:"; tail -20 "$OUT"/mesh-*.log; exit 1; }
done
grep -E '^step .* pairs ' "$OUT/mesh-0.log"
grep -E '^done' "$OUT"/mesh-*.log

[ "${ALONE:-1}" = 0 ] && exit 0
PAIRS=$(sed -n 's/.* \([0-9]*\) pairs a step$/\1/p' "$OUT/mesh-0.log")
if [ "${SAME_STEPS:-0}" = 1 ]; then
    echo "one trainer: $STEPS steps of $((N * PAIRS)) pairs, evaluated every $EVERY (load $(load_now))"
    "${JAVA[@]}" io.facestream.bench.LearningCurve "${COMMON[@]}" trainer.batchPairs=$((N * PAIRS)) \
        trainer.warmupSteps="$WARMUP" trainer.cosineSteps="$STEPS" \
        curve.steps="$STEPS" curve.evalEvery="$EVERY" >"$OUT/alone.log" 2>&1
    awk -v p="$((N * PAIRS))" '/^step / { print $0 "  pairs " $2 * p }' "$OUT/alone.log"
else
    echo "one trainer: $((N * STEPS)) steps, evaluated every $((N * EVERY)) (load $(load_now))"
    "${JAVA[@]}" io.facestream.bench.LearningCurve "${COMMON[@]}" trainer.warmupSteps=$((N * WARMUP)) \
        trainer.cosineSteps=$((N * STEPS)) \
        curve.steps=$((N * STEPS)) curve.evalEvery=$((N * EVERY)) >"$OUT/alone.log" 2>&1
    awk -v p="$PAIRS" '/^step / { print $0 "  pairs " $2 * p }' "$OUT/alone.log"
fi
