#!/usr/bin/env bash
# Partition mixing of a real multi-process run (issue 16): a broker with 4 pair partitions, one sampler over
# 300 synthetic identities, and a trainer started BACKLOG seconds later (so every partition holds a backlog),
# with a ledger; then MixingReport reads the ledger and the topic and prints each partition's share of every
# 10-step window against its share of what was produced, and the identities of the first 50 steps against a
# uniform draw. ROLES_CP runs the roles from another build (e.g. an older commit's, for a before/after pair).
#
# Usage: bench/mixing.sh            (env: BACKLOG=20 STEPS=100 IDENTITIES=300 ROLES_CP= TRAINER_OPTS=)
set -euo pipefail
cd "$(dirname "$0")/.."
BACKLOG=${BACKLOG:-20}
STEPS=${STEPS:-100}
IDENTITIES=${IDENTITIES:-300}
OUT=bench/target/mixing
rm -rf "$OUT"
mkdir -p "$OUT"

mvn -B -ntp -Pbench -q -pl bench -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.outputFile="$PWD/$OUT/classpath.txt" >"$OUT/maven.log" 2>&1 || { cat "$OUT/maven.log"; exit 1; }
CP="bench/target/classes:$(cat "$OUT/classpath.txt")"
ROLES_CP=${ROLES_CP:-$CP}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
BOOT=127.0.0.1:$PORT
role() { java ${ROLE_OPTS:-} -Xmx1g -cp "$ROLES_CP" io.facestream.server.cli.Main "$@"; }
# in the background: exec, so that $! is the JVM itself and the cleanup below stops it
bg_role() { exec java -Xmx1g -cp "$ROLES_CP" io.facestream.server.cli.Main "$@"; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

bg_role broker --port "$PORT" --controller-port "$(free_port)" --data-dir "$OUT/kafka" --pair-partitions 4 \
    >"$OUT/broker.log" 2>&1 & PIDS+=($!)
until grep -qs "facestream broker ready" "$OUT/broker.log"; do sleep 1; done
bg_role sampler --bootstrap "$BOOT" --producer-id s1 --identities "$IDENTITIES" --images-per-identity 4 \
    --image-size 64 >"$OUT/sampler.log" 2>&1 & PIDS+=($!)
until grep -qs "streaming" "$OUT/sampler.log"; do sleep 1; done
sleep "$BACKLOG"
ROLE_OPTS="${TRAINER_OPTS:-}" role trainer --bootstrap "$BOOT" --steps "$STEPS" --validation-identities 20 \
    --set trainer.checkpointDir="$OUT/checkpoints" --set trainer.checkpointEvery=20 \
    --set trainer.ledgerFile="$OUT/ledger.txt" --set trainer.evalEvery=0 --set trainer.validationPairs=20 \
    >"$OUT/trainer.log" 2>&1
kill "${PIDS[1]}"; wait "${PIDS[1]}" 2>/dev/null || true
grep -h "checkpoint step=" "$OUT/ledger.txt" || true
java -cp "$CP" io.facestream.bench.MixingReport "$BOOT" facestream.pairs "$OUT/ledger.txt" 10 50
