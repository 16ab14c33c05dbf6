#!/usr/bin/env bash
# One command for the speed of issue 15: runs bench/train_step.sh, bench/inference.sh, bench/serving.sh and
# bench/decode.sh in that order (a script that does not exist is skipped with a line saying so), shows their output
# as it comes, and prints ONE markdown table at the end of every ROW line they printed, headed by the date, the load
# (uptime), the CPU model and the core count, followed by their NOTE lines.
#
# The contract every script keeps: a result is a stdout line
#   ROW <measure> | <ours> | <reference> | <ours/reference> | <goal>
# e.g. "ROW train step SMALL relu 64px b96 (images/s, median step) | 540 | 730 | 0.74 | >=0.9", and a remark
# worth keeping with the table is a line "NOTE <text>". A goal ">=x" or "<=x" is checked against the ratio in the
# table's last column; any other goal is shown as it is.
#
# Usage: bench/speed.sh
#   env: SPEED_SCRIPTS="train_step inference serving decode" (which to run, in order), plus each script's own knobs.
#   The defaults keep the whole run near 12 minutes on an idle 2-core machine: train_step.sh with ROUNDS=1 and no
#   fast-path-off run unless set, MOBILEFACENET 1 warm-up + 3 timed steps; inference.sh 4 s per batch size.
#   Each script's full output is kept in bench/target/speed/<script>.log.
set -uo pipefail
cd "$(dirname "$0")/.."

SPEED_SCRIPTS=${SPEED_SCRIPTS:-train_step inference serving decode}
OUT=bench/target/speed
mkdir -p "$OUT"
: >"$OUT/rows.txt"
start=$(date +%s)
failed=()

for name in $SPEED_SCRIPTS; do
    script=bench/$name.sh
    if [[ ! -f "$script" ]]; then
        echo "== $script does not exist: skipped"
        echo "NOTE $script does not exist: skipped" >>"$OUT/rows.txt"
        continue
    fi
    echo "== $script (load: $(uptime | sed 's/.*load average: //'))"
    t0=$(date +%s)
    defaults=()
    # train_step.sh's own defaults (2 SMALL rounds, a fast-path-off run) are for studying it alone
    [[ "$name" == train_step ]] && defaults=(ROUNDS="${ROUNDS:-1}" FASTPATH_OFF="${FASTPATH_OFF:-0}")
    env "${defaults[@]}" bash "$script" 2>&1 | tee "$OUT/$name.log"
    rc=${PIPESTATUS[0]}
    grep -E '^(ROW|NOTE) ' "$OUT/$name.log" >>"$OUT/rows.txt"
    if [[ $rc != 0 ]]; then
        failed+=("$name")
        echo "NOTE $script FAILED (exit $rc) after $(($(date +%s) - t0)) s; its log: $OUT/$name.log" >>"$OUT/rows.txt"
    fi
    echo "== $script: $(($(date +%s) - t0)) s, exit $rc"
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo
echo "## FaceStream speed, $(date '+%Y-%m-%d %H:%M %Z')"
echo
echo "load average at the end: $(uptime | sed 's/.*load average: //') · CPU: ${cpu:-unknown} · cores: $(nproc)" \
    "· whole run: $(($(date +%s) - start)) s"
echo
echo "| measure | ours | reference | ratio | goal | met |"
echo "| --- | ---: | ---: | ---: | --- | --- |"
sed -n 's/^ROW //p' "$OUT/rows.txt" | awk -F' [|] ' '{
    ratio = $4; goal = $5; met = ""
    gsub(/ /, "", goal)
    if (ratio ~ /^[0-9.]+$/ && goal ~ /^(>=|<=|=)[0-9.]+$/) {
        bound = goal; sub(/^(>=|<=|=)/, "", bound)
        if (goal ~ /^>=/) met = (ratio + 0 >= bound + 0) ? "yes" : "no"
        else if (goal ~ /^<=/) met = (ratio + 0 <= bound + 0) ? "yes" : "no"
        else met = (ratio + 0 == bound + 0) ? "yes" : "no"
    }
    printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, ratio, goal, met }'
if grep -q '^NOTE ' "$OUT/rows.txt"; then
    echo
    sed -n 's/^NOTE /- /p' "$OUT/rows.txt"
fi
[[ ${#failed[@]} == 0 ]] || { echo; echo "failed: ${failed[*]}"; exit 1; }
