#!/usr/bin/env bash
# Inference throughput of the embedding network alone (no decoding, no HTTP), both architectures at batch 1 and 32,
# THREADS threads: DL4J as the server's model service runs it (`InferenceBench`: an exported model loaded back,
# `embed` = output() in inference mode) next to PyTorch eval()/no_grad of the same network built from the DL4J
# model's description (`TrainStepBench --describe`, checked node by node). Prints the rates per round and ROW lines
# (bench/speed.sh's contract): images/s by median call and the ratio DL4J/PyTorch per architecture and batch size.
#
# Usage: bench/inference.sh
#   env: BATCHES=1,32 THREADS=2 ARCHS="SMALL MOBILEFACENET" ROUNDS=1
#        INF_WARMUP=3 INF_WARMUP_S=10 INF_SECONDS=4 INF_MIN_CALLS=5   (per batch size: warm-up calls, at least
#                                                      INF_WARMUP and for INF_WARMUP_S seconds, both sides: the JVM's
#                                                      JIT, see bench/train_step.sh; then timed calls for at least
#                                                      INF_SECONDS and INF_MIN_CALLS)
#        ACTIVATION=                                  (MOBILEFACENET's trainer.activation; empty: the default)
#        NICE= PYTHON=/usr/bin/python3
# Needs: Maven and /usr/bin/python3 with torch (apt-get install python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

BATCHES=${BATCHES:-1,32}
THREADS=${THREADS:-2}
ARCHS=${ARCHS:-SMALL MOBILEFACENET}
ROUNDS=${ROUNDS:-1}
INF_WARMUP=${INF_WARMUP:-3}
INF_WARMUP_S=${INF_WARMUP_S:-10}
INF_SECONDS=${INF_SECONDS:-4}
INF_MIN_CALLS=${INF_MIN_CALLS:-5}
ACTIVATION=${ACTIVATION:-}
PYTHON=${PYTHON:-/usr/bin/python3}
NICE=${NICE:-}
OUT=bench/target/inference

bench_classpath "$OUT"
export OMP_NUM_THREADS=$THREADS
PRIO=()
[[ -n "$NICE" ]] && PRIO=(nice -n "$NICE")
JAVA=("${PRIO[@]}" java -Xmx4g -cp "$CP" -Dlogback.configurationFile=bench/train_step-logback.xml)
timing=(--batches "$BATCHES" --warmup "$INF_WARMUP" --warmup-seconds "$INF_WARMUP_S" --seconds "$INF_SECONDS" --min-calls "$INF_MIN_CALLS")

for arch in $ARCHS; do
    model=(--architecture "$arch")
    [[ "$arch" == MOBILEFACENET && -n "$ACTIVATION" ]] && model+=(--activation "$ACTIVATION")
    spec="$OUT/$arch.json"
    "${JAVA[@]}" io.facestream.bench.TrainStepBench "${model[@]}" --describe 2>"$OUT/describe.log" | tail -1 >"$spec" \
        || { cat "$OUT/describe.log"; exit 1; }
    dl4j=() torch=()
    for round in $(seq "$ROUNDS"); do
        echo "$arch round $round, load: $(load_now)${NICE:+, nice $NICE}"
        on=$("${JAVA[@]}" io.facestream.bench.InferenceBench "${model[@]}" "${timing[@]}" 2>>"$OUT/java.log" \
            | grep '^RESULT') || { tail -20 "$OUT/java.log"; exit 1; }
        sed 's/^/  /' <<<"$on"
        # the mirror refuses to run (non-zero exit) when its shapes or parameter counts differ from DL4J's
        ref=$("${PRIO[@]}" "$PYTHON" bench/inference_torch.py "$spec" "${timing[@]}" --threads "$THREADS" \
            | grep '^RESULT')
        sed 's/^/  /' <<<"$ref"
        dl4j+=("$on") torch+=("$ref")
    done
    for batch in ${BATCHES//,/ }; do
        pick() { printf '%s\n' "$@" | grep " batch=$batch " | sed -n "s/.* median_images_per_s=\([^ ]*\).*/\1/p" | median; }
        busy() { printf '%s\n' "$@" | grep " batch=$batch " | sed -n "s/.* cores_busy=\([^ ]*\).*/\1/p" | tr '\n' ' '; }
        first=$(printf '%s\n' "${dl4j[@]}" | grep -m1 " batch=$batch ")
        label="$arch $(field activation <<<"$first" | tr '[:upper:]' '[:lower:]') $(field input <<<"$first")px b$batch"
        row "inference $label (images/s, median call)" "$(pick "${dl4j[@]}")" "$(pick "${torch[@]}")" ">=0.8"
        cpu_rate() { printf '%s\n' "$@" | grep " batch=$batch " | sed -n "s/.* images_per_s=\([^ ]*\).* cores_busy=\([^ ]*\).*/\1 \2/p" \
            | awk '{ r += $1 / $2; n++ } END { print ((n > 0) ? r / n : 0) }'; }
        note "inference $arch b$batch: cores_busy DL4J $(busy "${dl4j[@]}")/ PyTorch $(busy "${torch[@]}")of" \
            "$THREADS; ratio of images per CPU-second $(awk -v d="$(cpu_rate "${dl4j[@]}")" \
            -v t="$(cpu_rate "${torch[@]}")" 'BEGIN { printf "%.2f", (t > 0) ? d / t : 0 }')"
    done
done
