#!/bin/sh
# e2e_loader.sh - end-to-end tests of description errors: the CLI exits 2 with FILE:LINE:COL and the key or type.
# usage: BUILD=build sh tests/e2e_loader.sh      (also run by `make e2e`)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. "$ROOT/tests/e2e_lib.sh"
FIX=$ROOT/tests/fixtures
printf 'abcdefgh' >"$T/data.bin"

# bad NAME WANT: loading $T/NAME.ksy fails with exit 2 and one stderr line starting "$T/NAME.ksy:WANT".
bad() {
    check "$1"
    run -f "$T/$1.ksy" "$T/data.bin"
    expect_rc 2
    grep -qF -- "$T/$1.ksy:$2" "$T/err" || fail "stderr lacks $T/$1.ksy:$2: $(head -c 300 "$T/err")"
    n=$(wc -l <"$T/err" | tr -d ' ')
    [ "$n" = 1 ] || fail "stderr has $n lines, expected 1"
    done_check
}

check unknown-key-fixture
run -f "$FIX/unknown_key.ksy" "$T/data.bin"
expect_rc 2
err_has "unknown_key.ksy:16:9: DescriptionError: types/thread/seq/2/sizee: unknown key 'sizee' in a seq attribute (did you mean 'size'?)"
done_check

cat >"$T/enmu.ksy" <<'K'
meta:
  id: enmu
seq:
  - id: a
    type: u1
    enmu: foo
K
bad enmu "6:5: DescriptionError: seq/0/enmu: unknown key 'enmu' in a seq attribute (did you mean 'enum'?)"

cat >"$T/misplaced.ksy" <<'K'
meta:
  id: misplaced
seq:
  - id: a
    type: u1
    pos: 4
K
bad misplaced "6:5: DescriptionError: seq/0/pos: key 'pos' is not allowed in a seq attribute (only in an instance)"

cat >"$T/kind.ksy" <<'K'
meta:
  id: kind
seq:
  - id: a
    size: 2
    size-eos: 3
K
bad kind "6:15: DescriptionError: seq/0/size-eos: expected true or false"

cat >"$T/class.ksy" <<'K'
meta:
  id: class
  endian: be
seq:
  - id: a
    type: u4
    encoding: ASCII
K
bad class "7:5: DescriptionError: seq/0/encoding: key 'encoding' is not allowed with type u4"

cat >"$T/args.ksy" <<'K'
meta:
  id: args
seq:
  - id: a
    type: foo(1, 2)
types:
  foo:
    params:
      - id: p
        type: u1
    seq:
      - id: b
        type: u1
K
bad args "5:11: DescriptionError: type 'foo' takes 1 argument, 2 given"

sed 's/foo(1, 2)/foo/' "$T/args.ksy" >"$T/noargs.ksy"
bad noargs "5:11: DescriptionError: type 'foo' takes 1 argument, 0 given"

cat >"$T/xor.ksy" <<'K'
meta:
  id: xor
seq:
  - id: a
    size: 2
    process: xor(1, 2)
K
bad xor "6:14: DescriptionError: process: xor takes 1 argument, 2 given"

cat >"$T/dup.ksy" <<'K'
meta:
  id: dup
seq:
  - id: a
    size: 1
    size: 2
K
bad dup "6:5: DescriptionError: seq/0/size: duplicate key 'size' (first at 5:5)"

cat >"$T/nocases.ksy" <<'K'
meta:
  id: nocases
seq:
  - id: a
    type:
      switch-on: 1
K
bad nocases "6:7: DescriptionError: seq/0/type: missing cases in a type switch"

printf 'meta:\n  id: utf\nseq:\n  - id: a\n    doc: caf\303\251 \377\n    type: u1\n' >"$T/utf8.ksy"
bad utf8 "5:15: DescriptionError: YAML: invalid leading UTF-8 octet (byte 0xff)"

printf 'meta:\n  id: ctl\n  title: a\001b\n' >"$T/control.ksy"
bad control "3:11: DescriptionError: YAML: control characters are not allowed (byte 0x01)"

# The located error reaches stderr whatever the output format.
check json-output
run -f "$T/enmu.ksy" -o json "$T/data.bin"
expect_rc 2
err_has "enmu.ksy:6:5: DescriptionError: seq/0/enmu:"
done_check

check extension-keys-accepted
cat >"$T/ext.ksy" <<'K'
meta:
  id: ext
  -vendor: {a: 1}
  xref: {wikidata: Q1, anything: x}
-webide-representation: '{a}'
seq:
  - id: a
    -orig-id: A
    -affected-by: 1
    doc: first byte
    type: u1
    enum: e
enums:
  e:
    97:
      id: letter_a
      -orig-id: LETTER_A
      doc-ref: ASCII
K
run -f "$T/ext.ksy" -o json "$T/data.bin"
expect_rc 0
has '"a":"letter_a"'
done_check

# ---- the parse cache ----

# A load from the cache prints what the first load printed, errors included.
check cache-same-output
cache=$T/cache-same
FMTDUMP_CACHE=$cache run -f "$T/ext.ksy" -o json "$T/data.bin"
cp "$T/out" "$T/cold"
[ "$(ls "$cache" 2>/dev/null | wc -l)" = 1 ] || fail "no single entry in $cache: $(ls "$cache" 2>&1)"
FMTDUMP_CACHE=$cache run -f "$T/ext.ksy" -o json "$T/data.bin"
expect_rc 0
cmp -s "$T/out" "$T/cold" || fail "warm output differs from cold"
FMTDUMP_CACHE=$cache run -f "$T/enmu.ksy" "$T/data.bin"
cp "$T/err" "$T/cold"
FMTDUMP_CACHE=$cache run -f "$T/enmu.ksy" "$T/data.bin"
expect_rc 2
cmp -s "$T/err" "$T/cold" || fail "warm error differs: $(cat "$T/err") / $(cat "$T/cold")"
done_check

# An entry damaged on disk is a miss: the load parses the file and writes the entry again.
check cache-damaged-entry
cache=$T/cache-damaged
FMTDUMP_CACHE=$cache run -f "$T/ext.ksy" -o json "$T/data.bin"
entry=$(ls "$cache"/*.tree)
size=$(wc -c <"$entry" | tr -d ' ')
printf 'XXXX' | dd of="$entry" bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
FMTDUMP_CACHE=$cache run -f "$T/ext.ksy" -o json "$T/data.bin"
expect_rc 0
has '"a":"letter_a"'
printf 'garbage' >"$entry"
FMTDUMP_CACHE=$cache run -f "$T/ext.ksy" -o json "$T/data.bin"
expect_rc 0
has '"a":"letter_a"'
[ "$(wc -c <"$entry" | tr -d ' ')" = "$size" ] || fail "entry not written again"
done_check

# Where it lives: FMTDUMP_CACHE, else $XDG_CACHE_HOME/fmtdump, else ~/.cache/fmtdump; empty: none.
check cache-location
mkdir -p "$T/home" "$T/xdg"
(unset FMTDUMP_CACHE; HOME=$T/home XDG_CACHE_HOME= run -f "$T/ext.ksy" "$T/data.bin")
[ -n "$(ls "$T/home/.cache/fmtdump" 2>/dev/null)" ] || fail "nothing in \$HOME/.cache/fmtdump"
(unset FMTDUMP_CACHE; HOME=$T/home XDG_CACHE_HOME=$T/xdg run -f "$T/ext.ksy" "$T/data.bin")
[ -n "$(ls "$T/xdg/fmtdump" 2>/dev/null)" ] || fail "nothing in \$XDG_CACHE_HOME/fmtdump"
rm -rf "$T/home/.cache"
HOME=$T/home FMTDUMP_CACHE= run -f "$T/ext.ksy" "$T/data.bin"
expect_rc 0
[ ! -e "$T/home/.cache" ] || fail "FMTDUMP_CACHE= still wrote $T/home/.cache"
FMTDUMP_CACHE=/dev/null/cache run -f "$T/ext.ksy" "$T/data.bin"
expect_rc 0
done_check

finish e2e-loader
