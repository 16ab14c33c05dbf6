#!/usr/bin/env bash
# Pairs-throughput benchmark: a sampler through an embedded Kafka broker to a decoding consumer, next to Kafka's
# ProducerPerformance with the same record count, size and producer settings. Arguments go to PairsBench
# (e.g. --pairs 20000 --rounds 2 --size 112 --render-live). Builds online-capable (works from a fresh clone with an empty ~/.m2); never installs into ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -Pbench -pl bench -am test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
exec java -Xmx2g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.facestream.bench.PairsBench "$@"
