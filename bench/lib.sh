# Shared by the bench scripts (source it from the repository root): the bench classpath, RESULT-line fields and
# the ROW lines that bench/speed.sh collects. Not a benchmark itself.

# builds bench and what it depends on through the reactor (never `mvn install`) and sets CP to its classpath;
# $1: a folder for the classpath file and the Maven log
bench_classpath() {
    local out=$1
    mkdir -p "$out"
    mvn -B -ntp -Pbench -q -pl bench -am test-compile -DskipTests \
        org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
        -Dmdep.outputFile="$PWD/$out/classpath.txt" >"$out/maven.log" 2>&1 || { cat "$out/maven.log"; return 1; }
    CP="bench/target/classes:$(cat "$out/classpath.txt")"
}

# field NAME of the RESULT line on stdin (the last one)
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | tail -1; }

# the median of the numbers on stdin, one a line
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# the load average now, as uptime prints it
load_now() { uptime | sed 's/.*load average: //'; }

# row MEASURE OURS REFERENCE GOAL: one result line of the contract bench/speed.sh collects,
# "ROW <measure> | <ours> | <reference> | <ours/reference> | <goal>"
row() {
    awk -v m="$1" -v o="$2" -v r="$3" -v g="$4" '
        function num(v) { return (v == "" || v !~ /^[-+0-9.eE]+$/) ? "n/a" : sprintf(v + 0 >= 100 ? "%.0f" : "%.1f", v) }
        BEGIN {
            ratio = (num(o) != "n/a" && num(r) != "n/a" && r + 0 > 0) ? sprintf("%.2f", o / r) : "n/a"
            printf "ROW %s | %s | %s | %s | %s\n", m, num(o), num(r), ratio, g }'
}

# note TEXT: a remark bench/speed.sh prints under its table
note() { echo "NOTE $*"; }
