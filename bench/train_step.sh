#!/usr/bin/env bash
# Training-step throughput of both embedding networks, batch 96 (48 identity pairs), THREADS threads: SMALL at 64x64
# and MOBILEFACENET at 112x112, each in DL4J (the trainer's model, oneDNN fast path on) and in PyTorch CPU built from
# the DL4J model's own description (`TrainStepBench --describe`, checked node by node: shapes and parameter counts).
# Prints the rates per round, and ROW lines (bench/speed.sh's contract): parameter counts, and the rate by median
# step and by best step with the ratio DL4J/PyTorch. Other processes on the machine skew the numbers: the load is
# printed with them, and cores_busy (process CPU time / wall time) near the thread count means the run had the
# cores to itself.
#
# Usage: bench/train_step.sh
#   env: BATCH=96 THREADS=2 ARCHS="SMALL MOBILEFACENET"
#        WARMUP=5 WARMUP_S=20 STEPS=20 ROUNDS=2    (SMALL)
#        MFN_WARMUP=1 MFN_WARMUP_S=30 MFN_STEPS=8 MFN_ROUNDS=1   (MOBILEFACENET: a step takes seconds)
# Warm-up is at least WARMUP steps and WARMUP_S seconds, on both sides: the JVM compiles DL4J's hot Java code in the
# background on the same cores for its first seconds, and a few warm-up steps measure that, not a trainer's steady
# state (SMALL 10 steps of warm-up against 150: 773-892 against 1018-1126 images/s by median step; MOBILEFACENET 1
# against 5: 11.3 against 24.1). WARMUP_S=0 MFN_WARMUP_S=0 gives the old, cold measurement.
#        ACTIVATION=                               (MOBILEFACENET's trainer.activation, RELU or PRELU; empty: the default)
#        FASTPATH_OFF=1                            (also time SMALL in DL4J without the oneDNN fast path)
#        NICE= PYTHON=/usr/bin/python3
# NICE=-10 (root only) runs the timed processes at a higher priority, to approximate an idle machine on a shared one;
# say so when quoting such numbers.
# Needs: Maven (the first build downloads the dependencies) and /usr/bin/python3 with torch (apt-get install python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

BATCH=${BATCH:-96}
THREADS=${THREADS:-2}
ARCHS=${ARCHS:-SMALL MOBILEFACENET}
WARMUP=${WARMUP:-5}
WARMUP_S=${WARMUP_S:-20}
STEPS=${STEPS:-20}
ROUNDS=${ROUNDS:-2}
MFN_WARMUP=${MFN_WARMUP:-1}
MFN_WARMUP_S=${MFN_WARMUP_S:-30}
MFN_STEPS=${MFN_STEPS:-8}
MFN_ROUNDS=${MFN_ROUNDS:-1}
ACTIVATION=${ACTIVATION:-}
FASTPATH_OFF=${FASTPATH_OFF:-1}
PYTHON=${PYTHON:-/usr/bin/python3}
NICE=${NICE:-}
OUT=bench/target/train_step

bench_classpath "$OUT"
export OMP_NUM_THREADS=$THREADS
PRIO=()
[[ -n "$NICE" ]] && PRIO=(nice -n "$NICE")
JAVA=("${PRIO[@]}" java -Xmx4g -cp "$CP" -Dlogback.configurationFile=bench/train_step-logback.xml)

for arch in $ARCHS; do
    model=(--architecture "$arch")
    if [[ "$arch" == MOBILEFACENET ]]; then
        warmup=$MFN_WARMUP warmup_s=$MFN_WARMUP_S steps=$MFN_STEPS rounds=$MFN_ROUNDS goal=">=0.8"
        [[ -n "$ACTIVATION" ]] && model+=(--activation "$ACTIVATION")
    else
        warmup=$WARMUP warmup_s=$WARMUP_S steps=$STEPS rounds=$ROUNDS goal=">=0.9"
    fi
    spec="$OUT/$arch.json"
    "${JAVA[@]}" io.facestream.bench.TrainStepBench "${model[@]}" --describe 2>"$OUT/describe.log" | tail -1 >"$spec" \
        || { cat "$OUT/describe.log"; exit 1; }
    args=(--batch "$BATCH" --warmup "$warmup" --warmup-seconds "$warmup_s" --steps "$steps")
    d_med=() t_med=() d_best=() t_best=() busy=() per_cpu=()
    for round in $(seq "$rounds"); do
        echo "$arch round $round, load: $(load_now)${NICE:+, nice $NICE}"
        on=$("${JAVA[@]}" io.facestream.bench.TrainStepBench "${model[@]}" "${args[@]}" 2>>"$OUT/java.log" \
            | grep '^RESULT') || { tail -20 "$OUT/java.log"; exit 1; }
        echo "  $on"
        # the mirror refuses to run (non-zero exit) when its shapes or parameter counts differ from DL4J's
        torch=$("${PRIO[@]}" "$PYTHON" bench/train_step_torch.py "$spec" "${args[@]}" --threads "$THREADS" \
            | grep '^RESULT')
        echo "  $torch"
        d_med+=("$(field median_images_per_s <<<"$on")") t_med+=("$(field median_images_per_s <<<"$torch")")
        d_best+=("$(field best_images_per_s <<<"$on")") t_best+=("$(field best_images_per_s <<<"$torch")")
        busy+=("$(field cores_busy <<<"$on")/$(field cores_busy <<<"$torch")")
        # images per CPU-second (mean rate / cores_busy): fairer than wall-clock rates when the run shared the CPU,
        # though it errs low for a process whose OpenMP threads spin while waiting
        per_cpu+=("$(awk -v d="$(field images_per_s <<<"$on")" -v dc="$(field cores_busy <<<"$on")" \
            -v t="$(field images_per_s <<<"$torch")" -v tc="$(field cores_busy <<<"$torch")" \
            'BEGIN { printf "%.2f", (dc > 0 && tc > 0 && t > 0) ? (d / dc) / (t / tc) : 0 }')")
    done
    activation=$(field activation <<<"$on")
    label="$arch $(tr '[:upper:]' '[:lower:]' <<<"$activation") $(field input <<<"$on")px b$BATCH"
    [[ "$arch" == SMALL ]] && small_median=$(printf '%s\n' "${d_med[@]}" | median)
    row "parameters $arch (DL4J / PyTorch mirror, BN statistics included)" "$(field params <<<"$on")" \
        "$(field params <<<"$torch")" "=1.00"
    row "train step $label (images/s, median step)" "$(printf '%s\n' "${d_med[@]}" | median)" \
        "$(printf '%s\n' "${t_med[@]}" | median)" "$goal"
    row "train step $label (images/s, best step)" "$(printf '%s\n' "${d_best[@]}" | sort -g | tail -1)" \
        "$(printf '%s\n' "${t_best[@]}" | sort -g | tail -1)" "$goal"
    # a figure well under the thread count means the run shared the CPU
    note "train step $arch: $rounds round(s) of $steps timed steps after at least $warmup warm-up steps and" \
        "${warmup_s} s; cores_busy DL4J/PyTorch" \
        "${busy[*]} of $THREADS; ratio of images per CPU-second ${per_cpu[*]}"
done

if [[ "$FASTPATH_OFF" == 1 && " $ARCHS " == *" SMALL "* ]]; then
    echo "SMALL, fast path off, load: $(load_now)"
    off=$("${JAVA[@]}" -Dorg.eclipse.deeplearning4j.helpers.disable=true io.facestream.bench.TrainStepBench \
        --batch "$BATCH" --warmup "$WARMUP" --warmup-seconds "$WARMUP_S" --steps "$STEPS" 2>>"$OUT/java.log" \
        | grep '^RESULT')
    echo "  $off"
    note "SMALL without the oneDNN fast path: $(field median_images_per_s <<<"$off") images/s by median step" \
        "(fast path on: $small_median)"
fi
