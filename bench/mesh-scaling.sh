#!/usr/bin/env bash
# Gradient-mesh scaling on this machine (issue 17, docs/SCALE-OUT.md "Measured"): images/s and bytes exchanged per
# step for one trainer alone, a mesh of one, and a mesh of two replicas on loopback, for SMALL (64x64) and
# MOBILEFACENET (112x112). Each replica is a JVM of its own running MeshReplica (trainer test classes) on random
# pairs; rates are measured after a warm-up, in the same script, so compare rows with each other only.
#   bench/mesh-scaling.sh [steps] [pairs]      (defaults 30 and 16)
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-30}
PAIRS=${2:-16}
WARMUP=5
mvn -o -q -B -pl trainer -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt \
    -Dmdep.includeScope=test >/dev/null
CP="trainer/target/test-classes:trainer/target/classes:$(cat trainer/target/cp.txt)"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT" /dev/shm/facestream-mesh-bench-*' EXIT

replica() { # name port extra-args...
    local name=$1 port=$2; shift 2
    java -Xmx1500m -XX:+UseSerialGC --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
        -Dorg.eclipse.deeplearning4j.helpers.disable=false -Daeron.dir="/dev/shm/facestream-mesh-bench-$name" \
        -cp "$CP" io.facestream.trainer.mesh.MeshReplica port="$port" steps="$STEPS" pairs="$PAIRS" \
        warmup="$WARMUP" "$@" >"$OUT/$name.log" 2>&1
}

report() { # label log...
    local label=$1; shift
    for log in "$@"; do
        local rate sent bytes
        rate=$(sed -n 's/^trained .*: \([0-9.]*\) images\/s.*/\1/p' "$log")
        sent=$(sed -n 's/^done .* sent \([0-9]*\) updates \([0-9]*\) bytes.*/\1/p' "$log")
        bytes=$(sed -n 's/^done .* sent [0-9]* updates \([0-9]*\) bytes.*/\1/p' "$log")
        params=$(sed -n 's/^done .* params \([0-9]*\)$/\1/p' "$log")
        printf '%-34s %-8s images/s %8.1f  updates sent %4s  bytes/step %10s  dense bytes/step %10s\n' \
            "$label" "$(basename "$log" .log)" "$rate" "${sent:-0}" \
            "$(( ${bytes:-0} / STEPS ))" "$(( ${params:-0} * 4 ))"
    done
}

for arch in "SMALL 64" "MOBILEFACENET 112"; do
    set -- $arch
    A=(architecture="$1" inputSize="$2")
    replica alone 41101 mesh=false "${A[@]}"
    report "$1 alone" "$OUT/alone.log"
    replica one 41111 seeds=127.0.0.1:41111 replicas=1 "${A[@]}"
    report "$1 mesh of 1" "$OUT/one.log"
    replica r0 41121 seeds=127.0.0.1:41121 replicas=2 data=1 sentFile="$OUT/r0.sent" peerSent="$OUT/r1.sent" \
        exact=true "${A[@]}" &
    replica r1 41122 seeds=127.0.0.1:41121 replicas=2 data=2 sentFile="$OUT/r1.sent" peerSent="$OUT/r0.sent" \
        exact=true "${A[@]}"
    wait
    report "$1 mesh of 2" "$OUT/r0.log" "$OUT/r1.log"
    rm -f "$OUT"/*.sent
done
