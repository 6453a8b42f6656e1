#!/bin/sh
# adversarial.sh - hostile inputs and descriptions that must each finish within 2 s and 256 MiB with bounded output.
# usage: BUILD=build sh tests/adversarial.sh      (run by `make adversarial`; not part of `make test`)
#
# Each case passes when fmtdump finishes under $LIMIT_S s with a peak RSS under $LIMIT_MB MiB
# (/usr/bin/time), writes at most 16 MiB + 64 x the input size, exits as the case allows (0 or 1
# unless said otherwise), and, where a limit trips, reports a LimitError located by kind, offset and
# path with exit 1.  Runs are measured, not capped at the limits: a safety net of
# $SAFETY_S s and $SAFETY_MB MiB stops a runaway case, and output past the bound is cut.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) BUILD_DIR=$BUILD ;; *) BUILD_DIR=$ROOT/$BUILD ;; esac
FMTDUMP=$BUILD_DIR/fmtdump
GEN=$BUILD_DIR/tests/gen_minidump
HOSTILE=$BUILD_DIR/tests/gen_hostile
JSONCHECK=$BUILD_DIR/tests/jsoncheck
FIX=$ROOT/tests/fixtures/hostile
KSY=$ROOT/formats/windows_minidump.ksy
LIMIT_S=2
LIMIT_MB=256
SAFETY_S=10
SAFETY_MB=2048
for x in "$FMTDUMP" "$GEN" "$HOSTILE" "$JSONCHECK" /usr/bin/time; do
    [ -x "$x" ] || { echo "adversarial: $x missing (run make; /usr/bin/time is Debian's time package)"; exit 1; }
done

T=$(mktemp -d)
writer=
trap '[ -n "$writer" ] && kill "$writer" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
unset FMTDUMP_PATH
# A sanitizer build cannot run under `ulimit -v`: there the safety net is ASan's RSS limit.
if sh -c "ulimit -v $((SAFETY_MB * 1024)) && exec \"\$0\" --version" "$FMTDUMP" >/dev/null 2>&1; then
    capped() { ( ulimit -v $((SAFETY_MB * 1024)) && exec "$@" ); }
else
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=$SAFETY_MB"
    export ASAN_OPTIONS
    capped() { "$@"; }
    # The limits are the production build's; ASan runs a few times slower and its
    # quarantine and shadow memory hold several times the heap, so there they scale.
    LIMIT_S=$((LIMIT_S * 5))
    LIMIT_MB=$((LIMIT_MB * 4))
    echo "adversarial: sanitizer build, limits scaled to $LIMIT_S s and $LIMIT_MB MiB"
fi

passed=0
failed=0

# measure INPUT CMD...: CMD with stdout cut one byte past the bound for INPUT's size; sets
# $rc, $secs, $kb, $size, $bound; stdout in $T/out, stderr in $T/err.
measure() {
    in_size=$(wc -c <"$1" | tr -d ' ')
    bound=$((16 * 1024 * 1024 + 64 * in_size))
    shift
    rm -f "$T/tm" "$T/rc"
    { capped /usr/bin/time -o "$T/tm" -f '%e %M' timeout -k 1 "$SAFETY_S" "$@" 2>"$T/err"; echo $? >"$T/rc"; } |
        head -c $((bound + 1)) >"$T/out"
    rc=$(cat "$T/rc" 2>/dev/null || echo '?')
    # shellcheck disable=SC2046 # the last line is "SECONDS KB"
    set -- $(tail -n 1 "$T/tm" 2>/dev/null)
    secs=${1:-?}
    kb=${2:-0}
    size=$(wc -c <"$T/out" | tr -d ' ')
}

# verdict NAME RCS [json|jsonl N]: judges the last measure: exit code one of RCS (space-separated),
# limits, output bound, located LimitError, and the output's syntax; prints the table line.
verdict() {
    name=$1 rcs=$2 why=
    # Output cut at the bound ends the run by SIGPIPE (141): then the bound is what failed.
    if [ "$size" -le "$bound" ]; then
        case " $rcs " in *" $rc "*) ;; *) why="$why exit $rc (want $rcs);" ;; esac
    fi
    awk -v s="$secs" -v l="$LIMIT_S" 'BEGIN { exit !(s != "?" && s + 0 < l) }' || why="$why over $LIMIT_S s;"
    [ "$kb" -lt $((LIMIT_MB * 1024)) ] || why="$why over $LIMIT_MB MiB;"
    [ "$size" -le "$bound" ] || why="$why output over the bound;"
    grep -q 'Sanitizer\|runtime error:' "$T/err" && why="$why sanitizer report;"
    limit=
    if grep -q 'LimitError' "$T/out" "$T/err"; then
        limit=" LimitError"
        [ "$rc" = 1 ] || why="$why LimitError with exit $rc;"
        # Located: a node path and a data offset, or (for a value instance,
        # which reads no bytes) a node path and the .ksy rule.
        grep -qE '"kind": ?"LimitError", ?"message": ?"[^"]*", ?"offset": ?[0-9]+, ?"path": ?"' "$T/out" ||
            grep -qE '"kind": ?"LimitError", ?"message": ?"[^"]*", ?"offset": ?null, ?"path": ?"/[^"]*", ?"file": ?"[^"]+", ?"line": ?[1-9]' "$T/out" ||
            grep -qE 'LimitError: .* at offset 0x[0-9a-f]+ \(' "$T/err" ||
            grep -qE 'ERROR LimitError: .* @0x[0-9a-f]+ ' "$T/out" || why="$why LimitError not located;"
    fi
    # The writers' own cut-off markers, shown for the record.
    for m in $(grep -oE '"_[a-z]+_limit"' "$T/out" | sort -u | tr -d '"'); do limit="$limit $m"; done
    if [ "$size" -le "$bound" ] && [ "$#" -ge 3 ]; then
        case $3 in
            json) "$JSONCHECK" "$T/out" 2>"$T/jerr" || why="$why invalid JSON ($(cat "$T/jerr"));" ;;
            jsonl) "$JSONCHECK" --lines "$4" "$T/out" 2>"$T/jerr" || why="$why invalid JSON Lines ($(cat "$T/jerr"));" ;;
        esac
    fi
    [ -n "$extra" ] && why="$why $extra;"
    extra=
    if [ -z "$why" ]; then verdict_word=pass; passed=$((passed + 1)); else verdict_word=FAIL; failed=$((failed + 1)); fi
    out_kb=$((size / 1024))
    [ "$size" -gt "$bound" ] && out_kb=">$((bound / 1024))"
    printf '%-4s %-40s %6ss %5s MiB out %8s KiB (bound %s KiB) exit %s%s%s\n' "$verdict_word" "$name" "$secs" \
        $((kb / 1024)) "$out_kb" $((bound / 1024)) "$rc" "$limit" "${why:+ --$why}"
}
extra=

# ---- (a) 4,000 directory entries naming one MemoryList that covers the file ---------------

"$HOSTILE" fanout "$T/fanout.dmp" || exit 1
for o in json yaml text; do
    measure "$T/fanout.dmp" "$FMTDUMP" -o "$o" "$T/fanout.dmp"
    if [ "$o" = json ]; then verdict "a: fanout 88 KiB, -o $o" "0 1" json
    else verdict "a: fanout 88 KiB, -o $o" "0 1"; fi
done

# ---- (b) elements evaluating .size/.max/.length and lists over the input ---------------------

: >"$T/empty.bin"
head -c 4096 /dev/zero | tr '\0' 'A' >"$T/4k.bin"
for f in empty 4k; do
    measure "$T/$f.bin" "$FMTDUMP" -f "$FIX/lists.ksy" -o json "$T/$f.bin"
    verdict "b: list expressions, $f input" "0 1" json
done

# ---- (c) process: zlib inflated again by each element ------------------------------------------

"$HOSTILE" zbomb "$T/zbomb.bin" || exit 1
measure "$T/zbomb.bin" "$FMTDUMP" -f "$FIX/zlib.ksy" -o json "$T/zbomb.bin"
verdict "c: zlib per element, 1 KiB" "0 1" json

# ---- (d) one byte, references doubling a string / nesting a list -------------------------------

printf 'Z' >"$T/1.bin"
measure "$T/1.bin" "$FMTDUMP" -f "$FIX/strings.ksy" -o json "$T/1.bin"
verdict "d: string doubling DAG, 1 byte" "0 1" json
measure "$T/1.bin" "$FMTDUMP" -f "$FIX/arrays.ksy" -o json "$T/1.bin"
verdict "d: list nesting DAG, 1 byte" "0 1" json
measure "$T/1.bin" "$FMTDUMP" -f "$FIX/tree.ksy" -o json "$T/1.bin"
verdict "d: binary tree of instances, 1 byte" "0 1" json

# ---- (e) FIFOs: as the data, as -f, in a batch, on FMTDUMP_PATH --------------------------------

"$GEN" "$T/basic.dmp" || exit 1
mkfifo "$T/fifo.dmp" "$T/fifo.ksy"
# A FIFO nobody writes to: opening it for reading would block for ever.
measure "$T/basic.dmp" "$FMTDUMP" -f "$KSY" -o json "$T/fifo.dmp"
grep -qF "fifo.dmp" "$T/err" || extra="stderr does not name the FIFO"
verdict "e: FIFO as the data, no writer" "1 2 3"
# A FIFO with an endless writer: reading it whole would never end.
cat /dev/zero >"$T/fifo.dmp" 2>/dev/null &
writer=$!
measure "$T/basic.dmp" "$FMTDUMP" -f "$KSY" -o json "$T/fifo.dmp"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
writer=
verdict "e: FIFO as the data, endless writer" "1 2 3"
measure "$T/basic.dmp" "$FMTDUMP" -f "$T/fifo.ksy" -o json "$T/basic.dmp"
grep -qF "fifo.ksy" "$T/err" || extra="stderr does not name the FIFO"
verdict "e: FIFO as -f" "2 3"
measure "$T/basic.dmp" "$FMTDUMP" -f "$KSY" -o jsonl "$T/basic.dmp" "$T/fifo.dmp" "$T/basic.dmp"
[ "$(grep -c '"status": "ok"' "$T/out")" = 2 ] || extra="the two regular files are not both ok"
verdict "e: FIFO in a batch" "1 3" jsonl 3
mkdir -p "$T/path"
cp "$KSY" "$T/path/windows_minidump.ksy"
mkfifo "$T/path/a_fifo.ksy"
FMTDUMP_PATH=$T/path
export FMTDUMP_PATH
measure "$T/basic.dmp" "$FMTDUMP" -o json "$T/basic.dmp"
unset FMTDUMP_PATH
verdict "e: FIFO on FMTDUMP_PATH" "0" json

# ---- (f) one document, 100,000 -e evaluations -------------------------------------------------

head -c 1024 /dev/zero | tr '\0' 'A' >"$T/1k.bin"
# 100,000 arguments need more than the default 2 MiB for argv: the kernel allows a quarter of the stack limit.
(
    ulimit -s 65536 2>/dev/null
    eval "set -- $(yes -- "-e '(s+s).length'" | head -n 100000 | tr '\n' ' ')"
    measure "$T/1k.bin" "$FMTDUMP" -f "$FIX/evals.ksy" -o json "$@" "$T/1k.bin"
    [ "$(grep -c '{"value": 2048}' "$T/out")" = 100000 ] || extra="not 100,000 results of 2048"
    verdict "f: 100,000 -e on one document" "0" json
    echo "$passed $failed" >"$T/counts"
)
read -r passed failed <"$T/counts"

# ---- (g) a flat sum of 257 terms is accepted, deep nesting is not ---------------------------------

sum=1
i=1
while [ "$i" -lt 257 ]; do sum="$sum+1"; i=$((i + 1)); done
measure "$T/1k.bin" "$FMTDUMP" -f "$FIX/evals.ksy" -o json -e "$sum" "$T/1k.bin"
grep -qF '{"value": 257}' "$T/out" || extra="no {\"value\": 257}"
verdict "g: flat sum of 257 terms" "0" json
deep=$(printf '%*s' 10000 '' | tr ' ' '(')1$(printf '%*s' 10000 '' | tr ' ' ')')
measure "$T/1k.bin" "$FMTDUMP" -f "$FIX/evals.ksy" -o json -e "$deep" "$T/1k.bin"
# A bad -e is told on stderr before any output.
grep -qF 'nested too deeply' "$T/err" || extra="no 'nested too deeply' error on stderr"
[ -s "$T/out" ] && extra="$extra; output on stdout"
verdict "g: 10,000 nested parentheses rejected" "2"

echo "adversarial: $passed passed, $failed failed"
[ "$failed" = 0 ]
