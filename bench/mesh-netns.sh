#!/usr/bin/env bash
# A mesh of two trainer replicas on two "hosts" of one machine (issue 17, docs/SCALE-OUT.md "Across hosts"): each
# replica runs the real trainer role in a Linux network namespace of its own, with its own address (10.231.0.11
# and .12 on a bridge, fsbr0, at 10.231.0.1), so the mesh's UDP crosses a veth pair and a bridge instead of
# loopback, and each keeps its checkpoints in a folder of its own (no shared folder, as on two machines). Kafka (the
# embedded broker, which binds loopback) and one sampler run in the machine's own namespace; each namespace reaches
# the broker through two socat relays (its loopback to the bridge, the bridge to the broker's loopback), so the
# broker's advertised 127.0.0.1 address works from every namespace.
# The server role (the dashboard) runs in the machine's namespace too; at the end the script prints what its
# /api/replicas says of the two replicas.
# Needs root, iproute2 and socat. Leaves nothing behind (namespaces, bridge, processes) when it ends.
#   bench/mesh-netns.sh [steps]   (default 300 steps on each replica)
# Extra trainer settings go in EXTRA, e.g. EXTRA="--set trainer.batchPairs=16". SHARED=1 gives both replicas one
# checkpoint folder (as compose's shared volume does; needed for trainer.mesh.foreignRowsEvery).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-300}
OUT=bench/target/mesh-netns
NET=10.231.0
KAFKA=19092
[ "$(id -u)" -eq 0 ] || { echo "mesh-netns.sh needs root (network namespaces)"; exit 2; }
command -v socat >/dev/null || { echo "mesh-netns.sh needs socat (apt-get install socat)"; exit 2; }
JAR=server/target/facestream.jar
mvn -B -ntp -q -DskipTests package >/dev/null   # the jar of this checkout
rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for n in a b; do ip netns del fs-$n 2>/dev/null || true; done
    ip link del fsbr0 2>/dev/null || true
}
trap cleanup EXIT
cleanup

ip link add fsbr0 type bridge
ip addr add $NET.1/24 dev fsbr0
ip link set fsbr0 up
i=11
for n in a b; do
    ip netns add fs-$n
    ip link add fsv-$n type veth peer name eth0 netns fs-$n
    ip link set fsv-$n master fsbr0 up
    ip -n fs-$n addr add $NET.$i/24 dev eth0
    ip -n fs-$n link set eth0 up
    ip -n fs-$n link set lo up
    i=$((i + 1))
done

await() { # file pattern seconds
    for ((t = 0; t < $3 * 10; t++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "no \"$2\" in $1 within $3 s:"; tail -20 "$1"; exit 1
}

java -jar "$JAR" broker --port $KAFKA >"$OUT/broker.log" 2>&1 &
PIDS+=($!)
await "$OUT/broker.log" "127.0.0.1:$KAFKA" 120
socat TCP-LISTEN:$KAFKA,bind=$NET.1,fork,reuseaddr TCP:127.0.0.1:$KAFKA &
PIDS+=($!)
for n in a b; do
    ip netns exec fs-$n socat TCP-LISTEN:$KAFKA,bind=127.0.0.1,fork,reuseaddr TCP:$NET.1:$KAFKA &
    PIDS+=($!)
done
sleep 0.5
for p in "${PIDS[@]:1}"; do
    kill -0 "$p" 2>/dev/null || { echo "a socat relay did not start (port $KAFKA taken?)"; exit 1; }
done
java -jar "$JAR" topics --bootstrap 127.0.0.1:$KAFKA >"$OUT/topics.log" 2>&1
java -jar "$JAR" sampler --bootstrap 127.0.0.1:$KAFKA --identities 200 >"$OUT/sampler.log" 2>&1 &
PIDS+=($!)
HTTP=18080
java -jar "$JAR" server --bootstrap 127.0.0.1:$KAFKA --port $HTTP >"$OUT/server.log" 2>&1 &
PIDS+=($!)

echo "two trainer replicas, $NET.11 (root) and $NET.12, $STEPS steps each, load $(cut -d' ' -f1-3 /proc/loadavg)"
i=11
TRAINERS=()
for n in a b; do
    mkdir -p "$OUT/$n"
    CKPT="$OUT/$n/checkpoints"
    [ "${SHARED:-0}" = 1 ] && CKPT="$OUT/checkpoints"
    # shellcheck disable=SC2086
    ip netns exec fs-$n env FACESTREAM_TRAINER_MESH_ENABLED=true FACESTREAM_TRAINER_MESH_HOST=$NET.$i \
        FACESTREAM_TRAINER_MESH_PORT=40123 FACESTREAM_TRAINER_MESH_SEEDS=$NET.11:40123 \
        FACESTREAM_TRAINER_MESH_REPLICAS=2 FACESTREAM_TRAINER_CHECKPOINTDIR="$CKPT" \
        java -jar "$JAR" trainer --bootstrap 127.0.0.1:$KAFKA --run-id mesh-netns --steps "$STEPS" ${EXTRA:-} \
        >"$OUT/trainer-$n.log" 2>&1 &
    TRAINERS+=($!)
    PIDS+=($!)
    i=$((i + 1))
done
START=$(date +%s)
FAILED=0
for n in a b; do
    p=${TRAINERS[0]}
    TRAINERS=("${TRAINERS[@]:1}")
    wait "$p" || { echo "trainer $n exited $?"; FAILED=1; }
done
echo "both ended after $(( $(date +%s) - START )) s"
for n in a b; do
    echo "== replica $n ($OUT/trainer-$n.log)"
    grep -E "mesh: (root|replica) |mesh: took|replicas in the mesh|applied the updates in flight|dropped|lost the root" \
        "$OUT/trainer-$n.log" | sed 's/^.* - //' || true
    grep -E "assigned|partitions" "$OUT/trainer-$n.log" | sed 's/^.* - //' | head -3 || true
    echo "checkpoints: $(ls "$OUT/$n/checkpoints" 2>/dev/null | tr '\n' ' ')"
done
[ "${SHARED:-0}" = 1 ] && echo "shared checkpoints: $(ls "$OUT/checkpoints" | tr '\n' ' ')"
echo "== the server's /api/replicas (parameter sketches and history left out)"
curl -s "http://127.0.0.1:$HTTP/api/replicas" | python3 -c '
import json, sys
body = json.load(sys.stdin)
for r in body["replicas"]:
    r.pop("history", None); r.pop("sketch", None)
    print(json.dumps(r, sort_keys=True))'
exit $FAILED
