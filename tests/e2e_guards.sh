#!/bin/sh
# e2e_guards.sh - end-to-end tests of the engine's guards: every `valid` form, parent overrides, switch fallbacks, io/pos errors, exit codes.
# usage: BUILD=build sh tests/e2e_guards.sh      (run by `make e2e`)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. "$ROOT/tests/e2e_lib.sh"
FIX=$ROOT/tests/fixtures
VKSY=$FIX/valid_forms.ksy
GKSY=$FIX/guards.ksy

# ---- helpers ---------------------------------------------------------------

# loc KSY MARKER key|val: "LINE COL" of the line tagged `#@MARKER` in KSY; the column of its
# first character (key) or of the value after its first ": " (val).
loc() {
    n=$(grep -n "#@$2\$" "$1" | cut -d: -f1)
    [ -n "$n" ] || { echo "e2e-guards: no marker #@$2 in $1"; exit 1; }
    text=$(sed -n "${n}p" "$1")
    indent=$(printf '%s' "$text" | sed 's/[^ ].*//' | wc -c)
    case $3 in
        key) echo "$n $((indent + 1))" ;;
        val) head=${text%%: *}; echo "$n $((${#head} + 3))" ;;
    esac
}

# error_json KSY KIND MESSAGE OFFSET PATH MARKER key|val: the flattened "_error" object the JSON writer gives.
error_json() {
    # shellcheck disable=SC2046 # loc prints two words, LINE and COL
    set -- "$@" $(loc "$1" "$6" "$7")
    printf '{"_error":{"kind":"%s","message":"%s","offset":%s,"path":"%s","file":"%s","line":%s,"col":%s}}' \
        "$2" "$3" "$4" "$5" "$1" "$8" "$9"
}

# field_error KEY KIND MESSAGE OFFSET PATH MARKER key|val: the JSON tree of $KSY on $DATA has "KEY": that error object.
field_error() {
    k=$1
    shift
    run -f "$KSY" -o json "$DATA"
    expect_rc 1
    has "\"$k\":$(error_json "$KSY" "$@")"
}

# stderr_error KIND MESSAGE OFFSET PATH MARKER key|val: the one located stderr line names that error.
stderr_error() {
    # shellcheck disable=SC2046
    set -- "$@" $(loc "$KSY" "$5" "$6")
    err_has "$1: $2 at offset $3 ($4) [ksy $KSY:$7:$8]"
}

# ---- inputs ------------------------------------------------------------------

printf '\005\002\011\001' >"$T/valid.bin"          # first=5, low=2, high=9, then 1
printf '\005\003\011\001' >"$T/low3.bin"           # low=3 fails max 2
printf '\005\002\010\001' >"$T/high8.bin"          # high=8 fails valid: 9
printf '\005\000' >"$T/low0.bin"                   # low=0 fails min 1, high never read
printf '\002\021\042\063\104\125\146\167\210' >"$T/guards.bin"
printf '\001\021\042\063\104\125\146\167\210' >"$T/guards1.bin"

# ---- valid: every form passing ------------------------------------------------

KSY=$VKSY
DATA=$T/valid.bin

check "valid: every passing form keeps its value"
run -f "$KSY" -o json "$T/valid.bin"
expect_rc 1
has '"first":5,"rest":{"low":2,"high":9},"eq_ok":5,'
has '"min_ok":2,'
has '"max_ok":2,'
has '"range_ok":9,'
has '"any_ok":1,'
has '"enum_ok":"red",'
has '"expr_ok":9,'
has '"str_ok":"\u0005\u0002",'
has '"bytes_ok":"0901",'
done_check

check "valid: passing forms through -e exit 0"
run -f "$KSY" -o json -e eq_ok -e min_ok -e max_ok -e range_ok -e any_ok -e enum_ok -e expr_ok -e rest.high \
    -e str_ok.length -e bytes_ok.size "$T/valid.bin"
expect_rc 0
has '{"status":"ok","results":[{"value":5},{"value":2},{"value":2},{"value":9},{"value":1},{"value":"red"},{"value":9},{"value":9},{"value":2},{"value":2}]}'
done_check

# ---- valid: every form failing, located in the data and the description -------

check "valid eq (scalar form): ValidationNotEqualError"
field_error eq_bad ValidationNotEqualError "not equal, expected 6, but got 5" 0 /eq_bad eq_bad val
done_check

check "valid eq (map form, expression): ValidationNotEqualError"
field_error eq_map_bad ValidationNotEqualError "not equal, expected 6, but got 9" 2 /eq_map_bad eq_map_bad key
done_check

check "valid min: ValidationLessThanError"
field_error min_bad ValidationLessThanError "not in range, min 3, but got 2" 1 /min_bad min_bad key
done_check

check "valid max: ValidationGreaterThanError"
field_error max_bad ValidationGreaterThanError "not in range, max 8, but got 9" 2 /max_bad max_bad key
done_check

check "valid min+max: below is ValidationLessThanError, above ValidationGreaterThanError"
field_error range_low ValidationLessThanError "not in range, min 3, but got 2" 1 /range_low range_low key
field_error range_high ValidationGreaterThanError "not in range, max 8, but got 9" 2 /range_high range_high key
done_check

check "valid any-of: ValidationNotAnyOfError"
field_error any_bad ValidationNotAnyOfError "not any of the list, got 5" 0 /any_bad any_bad key
done_check

check "valid in-enum: ValidationNotInEnumError"
field_error enum_bad ValidationNotInEnumError "not in the enum, got 9" 2 /enum_bad enum_bad key
done_check

check "valid expr: ValidationExprError"
field_error expr_bad ValidationExprError "not matching the expression, got 9" 2 /expr_bad expr_bad key
done_check

check "valid eq on a string and on bytes: ValidationNotEqualError"
field_error str_bad ValidationNotEqualError 'not equal, expected \"AB\", but got \"\\x05\\x02\"' 0 /str_bad str_bad val
field_error bytes_bad ValidationNotEqualError "not equal, expected [09 02], but got [09 01]" 2 /bytes_bad bytes_bad val
done_check

check "valid max on a signed field: a negative bound"
field_error signed_bad ValidationGreaterThanError "not in range, max -1, but got 5" 0 /signed_bad signed_bad key
done_check

check "valid failures: exit 1, one located stderr line naming the first, the count of the others"
run -f "$KSY" -o json "$T/valid.bin"
expect_rc 1
[ "$(wc -l <"$T/err" | tr -d ' ')" = 1 ] || fail "stderr has $(wc -l <"$T/err") lines"
stderr_error ValidationNotEqualError "not equal, expected 6, but got 5" 0x0 /eq_bad eq_bad val
err_has "; 11 more errors in the tree"
done_check

check "valid in a seq: the struct stops at the failing field (max of a range)"
run -f "$KSY" -o json "$T/low3.bin"
expect_rc 1
has "\"rest\":{\"low\":3,\"_error\":$(error_json "$KSY" ValidationGreaterThanError \
    "not in range, max 2, but got 3" 1 /rest/low seq_min key | sed 's/^{"_error"://; s/}$//')}"
lacks '"high"'
stderr_error ValidationGreaterThanError "not in range, max 2, but got 3" 0x1 /rest/low seq_min key
done_check

check "valid in a seq: min of a range, the later field never read"
run -f "$KSY" -o json "$T/low0.bin"
expect_rc 1
has '"rest":{"low":0,"_error":{"kind":"ValidationLessThanError","message":"not in range, min 1, but got 0","offset":1,"path":"/rest/low"'
lacks '"high"'
done_check

check "valid in a seq: scalar eq on the last field"
run -f "$KSY" -o json "$T/high8.bin"
expect_rc 1
has "\"rest\":{\"low\":2,\"high\":8,\"_error\":$(error_json "$KSY" ValidationNotEqualError \
    "not equal, expected 9, but got 8" 2 /rest/high seq_eq val | sed 's/^{"_error"://; s/}$//')}"
stderr_error ValidationNotEqualError "not equal, expected 9, but got 8" 0x2 /rest/high seq_eq val
done_check

check "valid failures: the text and yaml forms"
run -f "$KSY" "$T/valid.bin"
expect_rc 1
line "  eq_bad: ERROR ValidationNotEqualError: not equal, expected 6, but got 5 @0x0 /eq_bad"
line "  enum_bad: ERROR ValidationNotInEnumError: not in the enum, got 9 @0x2 /enum_bad"
line "  enum_ok = red (0x1)"
run -f "$KSY" -o yaml "$T/valid.bin"
expect_rc 1
line "    kind: ValidationExprError"
line "expr_bad:"
line "    path: '/expr_bad'"
line "    line: $(loc "$KSY" expr_bad key | cut -d' ' -f1)"
done_check

check "valid failures through -e: error results, exit 1"
run -f "$KSY" -o json -e eq_ok -e any_bad -e 'range_high' "$T/valid.bin"
expect_rc 1
has '{"status":"ok","results":[{"value":5},{"error":{"kind":"ValidationNotAnyOfError","message":"not any of the list, got 5","offset":0,"path":"/any_bad"'
has '{"error":{"kind":"ValidationGreaterThanError","message":"not in range, max 8, but got 9","offset":2,"path":"/range_high"'
done_check

check "valid failures in batch mode: the first error on the line"
run -f "$KSY" -o jsonl "$T/valid.bin" "$T/low3.bin"
expect_rc 1
grep -qF '/valid.bin", "status": "error", "error": {"kind": "ValidationNotEqualError", "message": "not equal, expected 6, but got 5", "offset": 0, "path": "/eq_bad"' "$T/out" ||
    fail "valid.bin line: $(head -n 1 "$T/out" | head -c 300)"
grep -qF '/low3.bin", "status": "error", "error": {"kind": "ValidationGreaterThanError", "message": "not in range, max 2, but got 3", "offset": 1, "path": "/rest/low"' "$T/out" ||
    fail "low3.bin line: $(sed -n 2p "$T/out" | head -c 300)"
done_check

# ---- parent overrides --------------------------------------------------------------

KSY=$GKSY
DATA=$T/guards.bin

check "parent: an expression sets _parent, the default is the enclosing struct"
run -f "$KSY" -o json "$T/guards.bin"
expect_rc 1
has '"adopted":{"x":34,"up":117}'
has '"natural":{"x":68,"up":2}'
run -f "$KSY" -o json -e 'adopted._parent.hv' -e 'natural._parent.tag' "$T/guards.bin"
has '"results":[{"value":17},{"value":2}]'
done_check

check "parent: false leaves _parent null, its use a located NullError"
run -f "$KSY" -o json "$T/guards.bin"
has "\"orphan\":{\"x\":51,\"up\":$(error_json "$KSY" NullError "cannot get .tag of a null value" null /orphan/up up key)}"
run -f "$KSY" -o json -e 'orphan._parent' -e 'orphan.x' "$T/guards.bin"
expect_rc 0
has '"results":[{"value":null},{"value":51}]'
done_check

# ---- switch fallbacks ----------------------------------------------------------------

check "switch: no case matches, the default (_) is taken"
run -f "$KSY" -o json "$T/guards.bin"
has '"sw_default":{"d":85},"sw_match":{"o":102},'
run -f "$KSY" -o json "$T/guards1.bin"
has '"sw_default":{"o":85},'
done_check

check "switch: no case and no default: null unsized, raw bytes sized"
run -f "$KSY" -o json "$T/guards.bin"
has '"sw_none":null,"sw_none_sized":"7788",'
run -f "$KSY" -o json -e sw_none -e sw_none_sized.size "$T/guards.bin"
expect_rc 0
has '"results":[{"value":null},{"value":2}]'
done_check

# ---- io and pos errors ------------------------------------------------------------------

check "io: an expression that is not a stream is a located TypeError"
field_error io_not_stream TypeError "io: expression is not a stream" null /io_not_stream io_not_stream key
done_check

check "io: a substream is read at its own positions, its end is its own"
run -f "$KSY" -o json "$T/guards.bin"
has '"io_sub":17,'
field_error io_sub_past_end EndOfStreamError "requested 1 bytes, but only 0 bytes available" 2 /io_sub_past_end io_sub_past_end key
done_check

# A negative position reads nothing: the offset is where the stream stands (9, its end).
check "pos: negative (literal and computed) is a located EndOfStreamError"
field_error pos_negative EndOfStreamError "negative position -1" 9 /pos_negative pos_negative key
field_error pos_computed_negative EndOfStreamError "negative position -8" 9 /pos_computed_negative pos_computed_negative key
field_error pos_past_end EndOfStreamError "requested 1 bytes, but only 0 bytes available" 9 /pos_past_end pos_past_end key
done_check

check "io/pos errors: exit 1, the first error on stderr, the others counted"
run -f "$KSY" -o json "$T/guards.bin"
expect_rc 1
[ "$(wc -l <"$T/err" | tr -d ' ')" = 1 ] || fail "stderr has $(wc -l <"$T/err") lines"
# shellcheck disable=SC2046
set -- $(loc "$KSY" up key)
err_has "NullError: cannot get .tag of a null value (/orphan/up) [ksy $KSY:$1:$2]; 5 more errors in the tree"
run -f "$KSY" -o json -e pos_negative -e io_not_stream "$T/guards.bin"
expect_rc 1
has '{"status":"ok","results":[{"error":{"kind":"EndOfStreamError","message":"negative position -1","offset":9,"path":"/pos_negative"'
has '{"error":{"kind":"TypeError","message":"io: expression is not a stream","offset":null,"path":"/io_not_stream"'
done_check

# ---- exit codes ----------------------------------------------------------------------------

check "exit 0: a sound input with no failing node"
run -f "$FIX/lib/pair.ksy" -o json "$T/valid.bin"
expect_rc 0
has '{"a":5,"b":2}'
lacks '"_error"'
[ -s "$T/err" ] && fail "stderr not empty: $(head -c 200 "$T/err")"
done_check

check "exit 2: an unknown key in a valid map, located at its value"
run -f "$FIX/broken_valid.ksy" -o json "$T/valid.bin"
expect_rc 2
[ -s "$T/out" ] && fail "stdout not empty"
n=$(grep -n 'almost: 1' "$FIX/broken_valid.ksy" | cut -d: -f1)
err_has "$FIX/broken_valid.ksy:$n:7: DescriptionError: "
err_has "unknown key 'almost'"
done_check

check "exit 2: a parent expression that does not parse, located at the expression"
run -f "$FIX/broken_parent.ksy" -o json "$T/valid.bin"
expect_rc 2
[ -s "$T/out" ] && fail "stdout not empty"
n=$(grep -n 'parent: _root +' "$FIX/broken_parent.ksy" | cut -d: -f1)
# The column is where the parser stopped: the end of the 7-character expression at column 13.
err_has "$FIX/broken_parent.ksy:$n:20: DescriptionError: bad expression '_root +'"
run -f "$FIX/broken_parent.ksy" -o jsonl "$T/valid.bin" "$T/valid.bin"
expect_rc 2
[ -s "$T/out" ] && fail "jsonl: stdout not empty"
done_check

# Kaitai's compiler rejects in-enum on an attribute without an enum (every value would fail).
check "exit 2: valid in-enum without an enum, located at its value"
run -f "$FIX/in_enum_no_enum.ksy" -o json "$T/valid.bin"
expect_rc 2
n=$(grep -n 'in-enum: true' "$FIX/in_enum_no_enum.ksy" | cut -d: -f1)
err_has "$FIX/in_enum_no_enum.ksy:$n:16: DescriptionError: valid: in-enum needs the attribute's enum"
done_check

printf 'Z' >"$T/z.bin"
# The writers cut "the same type again at the same offset" as a loop in the data; with another
# parameter it is another object, and the tree is finite (-e reaches every node).
check "a parametrised type read again at its own offset is not a cycle"
run -f "$FIX/param_recursion.ksy" -o json "$T/z.bin"
expect_rc 0
has '{"top":{"b":90,"kid":{"b":90,"kid":{"b":90,"kid":null}}}}'
lacks '"_cycle"'
run -f "$FIX/param_recursion.ksy" -o json -e top.kid.kid.b -e top.kid.kid.kid "$T/z.bin"
has '"results":[{"value":90},{"value":null}]'
done_check

finish e2e-guards
