#!/bin/sh
# robust.sh - every prefix and 10,000 seeded mutants of generated minidumps (and, when present, real corpus dumps) through fmtdump within time and memory limits.
# usage: BUILD=build [SHARED=../shared] sh tests/robust.sh      (run by `make robust`)
#   ROBUST_SEED (1), ROBUST_MUTANTS (10000), ROBUST_BATCH (files per fmtdump process: 250, 100 sanitized)
#
# Each input must parse in under $LIMIT_S s and $LIMIT_MB MiB, give valid JSON, exit 0 or 1 and
# print no sanitizer report.  Inputs run in batches (-o jsonl FILE...: one process, one line a
# file) held to the same limits as a whole, so each file is within them; a batch that fails is
# rerun one `-o json FILE` at a time to name the failing files, which are kept in
# $BUILD/robust-failures/ (mutant I is rebuilt alone by `mutate --mutants DIR SEED N --only I IN...`).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) BUILD_DIR=$BUILD ;; *) BUILD_DIR=$ROOT/$BUILD ;; esac
SHARED=${SHARED:-../shared}
case $SHARED in /*) ;; *) SHARED=$ROOT/$SHARED ;; esac
FMTDUMP=$BUILD_DIR/fmtdump
GEN=$BUILD_DIR/tests/gen_minidump
MUTATE=$BUILD_DIR/tests/mutate
JSONCHECK=$BUILD_DIR/tests/jsoncheck
KSY=$ROOT/formats/windows_minidump.ksy
SEED=${ROBUST_SEED:-1}
MUTANTS=${ROBUST_MUTANTS:-10000}
LIMIT_S=2
LIMIT_MB=256
for x in "$FMTDUMP" "$GEN" "$MUTATE" "$JSONCHECK"; do
    [ -x "$x" ] || { echo "robust: $x missing (run make)"; exit 1; }
done
command -v timeout >/dev/null 2>&1 || { echo "robust: needs timeout (coreutils)"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
unset FMTDUMP_PATH
FAILDIR=$BUILD_DIR/robust-failures
rm -rf "$FAILDIR"
start=$(date +%s)

# A sanitizer build reserves terabytes of address space, so `ulimit -v` cannot cap it: there the
# allocator caps each allocation and the RSS instead (ASan's own counters, shadow memory included).
if sh -c "ulimit -v $((LIMIT_MB * 1024)) && exec \"\$0\" --version" "$FMTDUMP" >/dev/null 2>&1; then
    sanitized=0
    BATCH=${ROBUST_BATCH:-250}
else
    sanitized=1
    BATCH=${ROBUST_BATCH:-100}
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=$LIMIT_MB:hard_rss_limit_mb=$((LIMIT_MB * 4)):detect_leaks=1"
    export ASAN_OPTIONS
    echo "note: sanitizer build: memory capped per allocation ($LIMIT_MB MiB) and RSS ($((LIMIT_MB * 4)) MiB with shadow), not by ulimit -v"
fi
have_time=0
[ -x /usr/bin/time ] && have_time=1

passed=0
failed=0
peak_kb=0
slowest=0

# limited OUT ERR CMD...: CMD under the time and memory limits; sets $rc, adds its peak RSS to $T/rss.
limited() {
    out=$1 err=$2
    shift 2
    if [ "$have_time" = 1 ]; then
        set -- /usr/bin/time -a -o "$T/rss" -f '%M %e' timeout -k 1 "$LIMIT_S" "$@"
    else
        set -- timeout -k 1 "$LIMIT_S" "$@"
    fi
    if [ "$sanitized" = 1 ]; then
        "$@" >"$out" 2>"$err"
    else
        ( ulimit -v $((LIMIT_MB * 1024)) && exec "$@" ) >"$out" 2>"$err"
    fi
    rc=$?
}

# sanitizer_report FILE: FILE holds a sanitizer's report or a crash message.
sanitizer_report() {
    grep -qE 'Sanitizer|runtime error:|^==[0-9]+==|Segmentation fault|Aborted' "$1"
}

# why_bad RC OUT ERR CHECK: empty when a run is sound; CHECK is json (one document), none, or N (JSON lines).
why_bad() {
    case $1 in
        0|1) ;;
        124|137) echo "over $LIMIT_S s"; return ;;
        *) echo "exit $1"; return ;;
    esac
    if sanitizer_report "$3"; then echo "sanitizer: $(grep -m1 -E 'Sanitizer|runtime error:' "$3" | head -c 200)"; return; fi
    case $4 in
        none) ;;
        json) "$JSONCHECK" "$2" 2>"$T/jerr" || echo "invalid JSON: $(cat "$T/jerr")" ;;
        *) if [ -s "$3" ]; then echo "stderr in batch mode: $(head -c 200 "$3")"
           elif ! "$JSONCHECK" --lines "$4" "$2" 2>"$T/jerr"; then echo "invalid JSON Lines: $(cat "$T/jerr")"; fi ;;
    esac
}

# The -e expressions of a pass (none with a space), and the output form of a single run.
EVAL=
FORM=json

# one LABEL FILE: FILE alone through `-o $FORM` (and $EVAL); counts it passed or failed.
one() {
    # shellcheck disable=SC2086 # $EVAL is words
    limited "$T/out1" "$T/err1" "$FMTDUMP" -f "$KSY" -o "$FORM" $EVAL "$2"
    check=none
    [ "$FORM" = json ] && check=json
    why=$(why_bad "$rc" "$T/out1" "$T/err1" "$check")
    if [ -z "$why" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        mkdir -p "$FAILDIR/$1"
        cp "$2" "$FAILDIR/$1/"
        echo "FAIL $1 $(basename "$2") ($(wc -c <"$2" | tr -d ' ') bytes, -o $FORM${EVAL:+ $EVAL}): $why"
    fi
}

# batch LABEL LIST: the files named in LIST (one a line) in one jsonl run, else one at a time.
batch() {
    n=$(wc -l <"$2" | tr -d ' ')
    [ "$n" = 0 ] && return
    old_ifs=$IFS
    IFS='
'
    # shellcheck disable=SC2046 # one file name a line, none with a newline
    set -- "$1" "$2" $(cat "$2")
    IFS=$old_ifs
    label=$1
    shift 2
    # shellcheck disable=SC2086
    limited "$T/outb" "$T/errb" "$FMTDUMP" -f "$KSY" -o jsonl $EVAL "$@"
    why=$(why_bad "$rc" "$T/outb" "$T/errb" "$n")
    if [ -z "$why" ]; then
        passed=$((passed + n))
        return
    fi
    before=$failed
    for f in "$@"; do one "$label" "$f"; done
    [ "$failed" = "$before" ] && echo "note: $label: a batch of $n failed ($why), each file passes alone"
}

# run_dir LABEL DIR [keep]: every file of DIR, in batches; then DIR is emptied unless keep.
run_dir() {
    find "$2" -type f | sort >"$T/all"
    split -l "$BATCH" "$T/all" "$T/list."
    for l in "$T"/list.*; do
        [ -f "$l" ] && batch "$1" "$l"
    done
    rm -f "$T"/list.*
    [ "${3:-}" = keep ] || find "$2" -type f -exec rm -f {} +
}

# prefixes LABEL FILE: every prefix of FILE (0 .. size-1 bytes), written $BATCH at a time.
prefixes() {
    size=$(wc -c <"$2" | tr -d ' ')
    mkdir -p "$T/p"
    from=0
    while [ "$from" -lt "$size" ]; do
        "$MUTATE" --prefixes "$T/p" "$2" "$from" $((from + BATCH)) || { echo "robust: mutate failed"; exit 1; }
        run_dir "$1" "$T/p"
        from=$((from + BATCH))
    done
    echo "  $1: $size prefixes, $passed passed, $failed failed so far"
}

# ---- generated dumps -------------------------------------------------------------

mkdir -p "$T/gen" "$T/m"
for v in basic amd64 padded misc1364 mem64 custom truncated hugecount loop overlap be be-misc1364; do
    "$GEN" "$T/gen/$v.dmp" --variant "$v" || { echo "robust: gen_minidump $v failed"; exit 1; }
done
"$GEN" "$T/gen/many-ranges.dmp" --variant many-ranges --count 40 || exit 1

for v in basic amd64 mem64 loop overlap be-misc1364; do
    prefixes "prefix-$v" "$T/gen/$v.dmp"
done

"$MUTATE" --mutants "$T/m" "$SEED" "$MUTANTS" "$T"/gen/*.dmp || { echo "robust: mutate failed"; exit 1; }
run_dir "mutant-seed$SEED" "$T/m" keep
echo "  $MUTANTS mutants (seed $SEED of $(find "$T/gen" -type f | wc -l | tr -d ' ') generated dumps): $passed passed, $failed failed so far"

# The same mutants evaluated through -e (lazy instances reached from outside the writers).
EVAL="-e streams.size -e streams[0].data -e streams[1].data.modules[0].module_name.str
      -e streams[2].data.mem_ranges[0].memory.data.size -e streams[4].data.cpu_arch -e num_streams*2+1"
run_dir "mutant-seed$SEED-eval" "$T/m" keep
EVAL=
echo "  the mutants through 6 -e expressions: $passed passed, $failed failed so far"
# Every 50th mutant through the text and YAML writers, one run each.
mkdir -p "$T/s"
find "$T/m" -name 'm???[05]0.dmp' -exec mv {} "$T/s/" \;
find "$T/m" -type f -exec rm -f {} +
for FORM in text yaml; do
    for f in "$T"/s/*; do one "mutant-seed$SEED-$FORM" "$f"; done
done
FORM=json
echo "  $(find "$T/s" -type f | wc -l | tr -d ' ') of them through -o text and -o yaml: $passed passed, $failed failed so far"
rm -rf "$T/s"

# ---- real dumps, referenced in place -----------------------------------------------------

CORPUS=$SHARED/corpus/dumps
if [ -d "$CORPUS" ]; then
    find "$CORPUS" -type f | sort >"$T/corpus"
    split -l "$BATCH" "$T/corpus" "$T/list."
    for l in "$T"/list.*; do batch corpus "$l"; done
    rm -f "$T"/list.*
    echo "  corpus: $(wc -l <"$T/corpus" | tr -d ' ') whole dumps, $passed passed, $failed failed so far"
    for d in llvm-mirror__lldb/unittests__Process__minidump__Inputs__dump-content.dmp \
             rust-minidump__rust-minidump/testdata__invalid-range.dmp \
             llvm-mirror__lldb/packages__Python__lldbsuite__test__functionalities__postmortem__minidump-new__arm-linux.dmp \
             google__breakpad/src__processor__testdata__minidump2.dmp; do
        if [ -f "$CORPUS/$d" ]; then prefixes "corpus-prefix-$(basename "$d")" "$CORPUS/$d"
        else echo "note: $CORPUS/$d absent, its prefixes skipped"; fi
    done
else
    echo "note: $CORPUS absent: real dumps skipped"
fi

if [ "$have_time" = 1 ] && [ -s "$T/rss" ]; then
    peak_kb=$(awk '$1 ~ /^[0-9]+$/ && $1 > m { m = $1 } END { print m + 0 }' "$T/rss")
    slowest=$(awk '$2 ~ /^[0-9.]+$/ && $2 > m { m = $2 } END { print m + 0 }' "$T/rss")
    echo "  largest peak RSS of a run: $((peak_kb / 1024)) MiB; slowest run: $slowest s ($(wc -l <"$T/rss" | tr -d ' ') processes)"
fi
echo "  total $(($(date +%s) - start)) s"
echo "robust: $passed passed, $failed failed"
[ "$failed" = 0 ]
