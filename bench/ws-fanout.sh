#!/usr/bin/env bash
# WebSocket fan-out allocation benchmark: heap bytes the server allocates per metrics event sent to many
# /ws/metrics clients (JFR), the clients in a second JVM. Arguments go to WsFanoutBench
# (e.g. --clients 500 --events 2000 --pad 4000 --label after). Builds through the reactor, online-capable (test-compile: the server module
# resolves the sampler and trainer test-jars from the reactor); never installs into ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -Pbench -pl bench -am test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
exec java -Xmx2g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.facestream.bench.WsFanoutBench "$@"
