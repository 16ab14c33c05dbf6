#!/usr/bin/env bash
# The trainer's data-wait fraction with a simulated GPU: the real step is timed, then the real TrainingLoop and
# BatchPipeline run with the step replaced by a pause of a tenth of it (DataWaitBench). Prints per-window figures
# and a ROW line:  ROW <measure> | <ours> | <reference> | <ratio> | <goal>
# Arguments go to DataWaitBench (--architecture SMALL --steps 300 --speedup 10 --set trainer.decodeThreads=2 ...).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/target/data_wait
mkdir -p "$OUT"
THREADS=${THREADS:-2}
mvn -B -ntp -q -Pbench -pl bench -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.outputFile="$PWD/$OUT/classpath.txt" -Dmdep.includeScope=runtime >"$OUT/maven.log" 2>&1 \
    || { cat "$OUT/maven.log"; exit 1; }
export OMP_NUM_THREADS=$THREADS
exec java -Xmx3g -Dlogback.configurationFile=bench/train_step-logback.xml \
    -cp "bench/target/classes:$(cat "$OUT/classpath.txt")" io.facestream.bench.DataWaitBench "$@"
