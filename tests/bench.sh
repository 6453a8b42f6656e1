#!/bin/sh
# bench.sh - prints fmtdump's wall time and peak RSS on large inputs; reports figures, asserts nothing.
# usage: sh tests/bench.sh BUILD_DIR   (make bench)
set -u

BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$(cd "${SHARED:-$ROOT/../shared}" 2>/dev/null && pwd || echo "${SHARED:-$ROOT/../shared}")
FMTDUMP=$BUILD/fmtdump
GEN=$BUILD/tests/gen_minidump
RANGES=200000

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# GNU time gives peak RSS; without it, wall time from date(1) only.
if /usr/bin/time -v true >/dev/null 2>&1; then have_time=1; else have_time=0; fi

measure() {
    label=$1
    shift
    if [ "$have_time" = 1 ]; then
        /usr/bin/time -v "$@" >"$work/out" 2>"$work/time"
        rc=$?
        wall=$(sed -n 's/^.*Elapsed (wall clock) time.*: //p' "$work/time")
        rss=$(sed -n 's/^.*Maximum resident set size (kbytes): //p' "$work/time")
    else
        t0=$(date +%s.%N)
        "$@" >"$work/out" 2>/dev/null
        rc=$?
        t1=$(date +%s.%N)
        wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f s", b - a }')
        rss="?"
    fi
    printf '%-44s exit %s  wall %s  peak RSS %s KiB  output %s bytes\n' \
        "$label" "$rc" "$wall" "$rss" "$(wc -c <"$work/out" | tr -d ' ')"
}

"$GEN" "$work/ranges.dmp" --variant many-ranges --count "$RANGES" || exit 1
size=$(wc -c <"$work/ranges.dmp" | tr -d ' ')
echo "generated: $RANGES memory ranges, $size bytes"
measure "fmtdump -o json (${RANGES} ranges)" "$FMTDUMP" -o json "$work/ranges.dmp"
measure "fmtdump text (${RANGES} ranges)" "$FMTDUMP" "$work/ranges.dmp"

# A 2 GiB dump (a sparse file behind a real header): open and query only what is asked.
"$GEN" "$work/big.dmp" || exit 1
if truncate -s 2G "$work/big.dmp" 2>/dev/null; then
    measure "fmtdump -e (2 GiB dump, 3 queries)" "$FMTDUMP" -e 'streams.size' \
        -e 'streams[3].data.exception_rec.code' -e 'streams[1].data.modules[0].module_name.str' "$work/big.dmp"
fi

# JSON Lines: one process over many copies of the sample dump, each detected,
# the format path loaded once; then the same dumps one process each.
COPIES=1000
"$GEN" "$work/sample.dmp" || exit 1
mkdir "$work/batch"
set --
i=1
while [ $i -le $COPIES ]; do set -- "$@" "$work/batch/$i.dmp"; i=$((i + 1)); done
tee "$@" <"$work/sample.dmp" >/dev/null
echo "batch: $COPIES copies of the sample dump, $(wc -c <"$work/sample.dmp" | tr -d ' ') bytes each"
measure "fmtdump -o jsonl (${COPIES} dumps, one run)" "$FMTDUMP" -o jsonl "$@"
echo "jsonl lines: $(wc -l <"$work/out" | tr -d ' ')"
# shellcheck disable=SC2016 # $0 and $f belong to the inner shell
measure "fmtdump -o json (${COPIES} dumps, one run each)" \
    sh -c 'for f; do "$0" -o json "$f" || exit; done' "$FMTDUMP" "$@"

if [ -d "$SHARED/corpus/dumps" ]; then
    largest=$(find "$SHARED/corpus/dumps" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
    echo "largest corpus dump: $largest ($(wc -c <"$largest" | tr -d ' ') bytes)"
    measure "fmtdump -o json (largest corpus dump)" "$FMTDUMP" -o json "$largest"
else
    echo "corpus: $SHARED/corpus absent, skipped"
fi
