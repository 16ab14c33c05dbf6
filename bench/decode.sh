#!/usr/bin/env bash
# Decode + resize + normalise throughput on one core: the trainer's ImageDecoder path against PIL
# (bench/decode_pil.py) on the same synthetic-face JPEGs (written to bench/target/decode/faces), at 64 and 112 px.
# Prints a line per run and ROW lines:  ROW <measure> | <ours> | <reference> | <ratio> | <goal>
# Arguments go to DecodeBench (--images 200 --source 128 --sizes 64,112 --seconds 4 --rounds 2 --python PATH).
# Needs /usr/bin/python3 with PIL and numpy (apt-get install -y python3-pil python3-numpy).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/target/decode
mkdir -p "$OUT"
mvn -B -ntp -q -Pbench -pl bench -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.outputFile="$PWD/$OUT/classpath.txt" -Dmdep.includeScope=runtime >"$OUT/maven.log" 2>&1 \
    || { cat "$OUT/maven.log"; exit 1; }
exec java -Xmx1g -XX:ActiveProcessorCount=1 -Dlogback.configurationFile=bench/train_step-logback.xml \
    -cp "bench/target/classes:$(cat "$OUT/classpath.txt")" io.facestream.bench.DecodeBench "$@"
