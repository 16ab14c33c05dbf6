#!/usr/bin/env bash
# HTTP load on POST /api/embed of the server role (in process, loopback, API token set) for SMALL (64 px) and
# MOBILEFACENET (112 px) exports with 1, 8 and 64 concurrent clients, next to the network alone at the batch size
# the server's dynamic batching formed. Prints a line per run and ROW lines:
#   ROW <measure> | <ours> | <reference> | <ratio> | <goal>
# Arguments go to ServingBench (e.g. --clients 1,8,64 --warmup-s 3 --measure-s 8 --window-ms 5 --max-batch 32
# --architectures SMALL,MOBILEFACENET --set server.api.maxPendingInferences=128). Builds through the reactor
# (test-compile, online-capable) and never installs into ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/target/serving
mkdir -p "$OUT"
THREADS=${THREADS:-2}
mvn -B -ntp -q -Pbench -pl bench -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.outputFile="$PWD/$OUT/classpath.txt" -Dmdep.includeScope=runtime >"$OUT/maven.log" 2>&1 \
    || { cat "$OUT/maven.log"; exit 1; }
export OMP_NUM_THREADS=$THREADS
bench() {
    java -Xmx3g -Dlogback.configurationFile=bench/train_step-logback.xml \
        -cp "bench/target/classes:$(cat "$OUT/classpath.txt")" io.facestream.bench.ServingBench "$@"
}
bench "$@"
# 64 closed-loop clients and maxBatch 32: every request waits about two batches (Little's law), so p99 cannot come
# within 2x of the window plus one batch however tight the server is. The same 64 clients again with
# server.api.maxBatch 64 (MAXBATCH_AT_64, 0 = skip): one batch per round of requests, as the goal assumes; the
# latency in ms is about the same (docs/API.md).
if [[ "${MAXBATCH_AT_64:-64}" != 0 ]]; then
    bench "$@" --clients 64 --max-batch "${MAXBATCH_AT_64:-64}"
fi
