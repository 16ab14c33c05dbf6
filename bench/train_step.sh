#!/usr/bin/env bash
# Training-step throughput of the default SMALL embedding model (64x64, batch 96 = 48 pairs, 2 threads):
# DL4J with the oneDNN fast path, DL4J without it, and the same network in PyTorch CPU; prints the rates and
# the ratio DL4J/PyTorch. Other processes on the machine skew the numbers: the load is printed with them and
# cores_busy (process CPU time / wall time) near the thread count means the run had the cores to itself.
#
# Usage: bench/train_step.sh            (env: BATCH=96 WARMUP=5 STEPS=20 THREADS=2 ROUNDS=2 NICE=)
# NICE=-10 (root only) runs the timed processes at a higher priority, to approximate an idle machine on a
# shared one; say so when quoting such numbers.
# Needs: Maven (the first build downloads the dependencies) and /usr/bin/python3 with torch (apt-get install python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."

BATCH=${BATCH:-96}
WARMUP=${WARMUP:-5}
STEPS=${STEPS:-20}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}
NICE=${NICE:-}
OUT=bench/target/train_step
mkdir -p "$OUT"

mvn -B -ntp -Pbench -q -pl bench -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.outputFile="$PWD/$OUT/classpath.txt" >"$OUT/maven.log" 2>&1 || { cat "$OUT/maven.log"; exit 1; }
CP="bench/target/classes:$(cat "$OUT/classpath.txt")"

export OMP_NUM_THREADS=$THREADS
PRIO=()
[[ -n "$NICE" ]] && PRIO=(nice -n "$NICE")
JAVA=("${PRIO[@]}" java -Xmx4g -cp "$CP" -Dlogback.configurationFile=bench/train_step-logback.xml)
ARGS=(--batch "$BATCH" --warmup "$WARMUP" --steps "$STEPS")

"${JAVA[@]}" io.facestream.bench.TrainStepBench --describe 2>"$OUT/describe.log" | tail -1 >"$OUT/small.json"

# field NAME of a RESULT line
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" | tail -1; }
results=()
for round in $(seq "$ROUNDS"); do
    echo "round $round, load: $(uptime | sed 's/.*load average: //')${NICE:+, nice $NICE}"
    on=$("${JAVA[@]}" io.facestream.bench.TrainStepBench "${ARGS[@]}" 2>>"$OUT/java.log" | grep '^RESULT')
    echo "  $on"
    torch=$("${PRIO[@]}" "$PYTHON" bench/train_step_torch.py "$OUT/small.json" "${ARGS[@]}" --threads "$THREADS" | grep '^RESULT')
    echo "  $torch"
    results+=("$on|$torch")
done
echo "fast path off, load: $(uptime | sed 's/.*load average: //')"
off=$("${JAVA[@]}" -Dorg.eclipse.deeplearning4j.helpers.disable=true io.facestream.bench.TrainStepBench \
    "${ARGS[@]}" 2>>"$OUT/java.log" | grep '^RESULT')
echo "  $off"

# mean rates are what a trainer gets; best-step rates are the least disturbed by other processes. A run whose
# cores_busy is well under the thread count shared the CPU: its mean rate understates it, and the rate per
# CPU-second (which also counts OpenMP spin-waiting, so it errs low) is the fairer comparison.
for r in "${results[@]}"; do
    on=${r%%|*}
    torch=${r#*|}
    awk -v d="$(field images_per_s <<<"$on")" -v t="$(field images_per_s <<<"$torch")" \
        -v db="$(field best_images_per_s <<<"$on")" -v tb="$(field best_images_per_s <<<"$torch")" \
        -v o="$(field images_per_s <<<"$off")" -v ob="$(field best_images_per_s <<<"$off")" \
        -v dc="$(field cores_busy <<<"$on")" -v tc="$(field cores_busy <<<"$torch")" -v n="$THREADS" 'BEGIN {
        printf "DL4J %.1f img/s, PyTorch %.1f img/s, ratio DL4J/PyTorch %.2f; best step %.1f vs %.1f, ratio %.2f;",
               d, t, d / t, db, tb, db / tb
        printf " fast path off %.1f img/s (best %.1f), gain %.1fx (best %.1fx)", o, ob, d / o, db / ob
        if (dc < 0.9 * n || tc < 0.9 * n) {
            # per CPU-second rates scaled to the thread count: what each would do with its cores to itself
            printf " [disturbed: cores_busy %.2f / %.2f of %d; CPU-time rates %.1f vs %.1f, ratio %.2f]",
                   dc, tc, n, d * n / dc, t * n / tc, (d / dc) / (t / tc)
        }
        printf "\n" }'
done
