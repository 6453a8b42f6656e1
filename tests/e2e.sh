#!/bin/sh
# e2e.sh - end-to-end tests of the fmtdump command line on small formats from tests/fixtures.
# usage: BUILD=build sh tests/e2e.sh      (run by `make e2e`; needs no python, uses it when present)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. "$ROOT/tests/e2e_lib.sh"
FIX=$ROOT/tests/fixtures
KSY=$FIX/chunks.ksy
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

# ---- helpers ---------------------------------------------------------------

err_lines() {
    n=$(wc -l <"$T/err" | tr -d ' ')
    [ "$n" = "$1" ] || fail "stderr has $n lines, expected $1: $(head -c 300 "$T/err")"
}
# The whole stdout is one JSON document (checked when python3 is present).
json_ok() {
    [ "$have_python" = 1 ] || return 0
    python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$T/out" 2>"$T/pyerr" ||
        fail "stdout is not one JSON document: $(tail -1 "$T/pyerr")"
}

# ---- inputs ------------------------------------------------------------------

# header: signature, version, flags, ofs_tail; $1 = version+flags+ofs_tail bytes (octal escapes)
# shellcheck disable=SC2059 # the argument is a format of octal escapes
head_bytes() { printf '\211CHK\r\n'; printf "$1"; }
chunks_bytes() {
    printf 'NAME\000\000\000\013h\303\251llo\000\251\003!\000'
    printf 'NUMS\000\000\000\031\002\377\377\377\376\000\000\000\007'
    printf '\377\377\377\377\377\377\377\377\077\370\000\000\000\000\000\000'
    printf 'TEXT\000\000\000\005a"b\n\001'
    printf 'ZZZZ\000\000\000\003\001\002\003'
}
{ head_bytes '\001\002\001\000\002'; chunks_bytes; } >"$T/good.bin"
{ head_bytes '\001\002\040\000\002'; chunks_bytes; } >"$T/unnamed.bin"
{ head_bytes '\002\001\000\000\002\177'; chunks_bytes; } >"$T/extra.bin"
{ head_bytes '\001\002\001\377\360'; chunks_bytes; } >"$T/badptr.bin"
dd if="$T/good.bin" of="$T/trunc.bin" bs=45 count=1 2>/dev/null
{ printf '\211CHX\r\n\001\002\001\000\002'; chunks_bytes; } >"$T/badmagic.bin"
{ head_bytes '\001\002\001\000\002'; printf 'ZZZZ\000\000\000\144';
  dd if=/dev/zero bs=100 count=1 2>/dev/null; } >"$T/long.bin"
printf '\211CHK\r\n\032\n\005' >"$T/v2.bin"
printf 'nothing known here' >"$T/unknown.bin"
: >"$T/empty.bin"
printf '\001\002\003\004' >"$T/pair.bin"
printf 'LOOP\000\000\000\004\000\000\000\000' >"$T/loop.bin"
# u4be N: N as 4 big-endian bytes.
# shellcheck disable=SC2059
u4be() { printf "\\000\\000\\$(printf %03o $(($1 / 256)))\\$(printf %03o $(($1 % 256)))"; }
{ printf 'LOOP'; u4be 12; u4be 0; i=1
  while [ $i -le 600 ]; do u4be $((12 + 4 * i)); i=$((i + 1)); done; } >"$T/chain.bin"

# ---- command line ------------------------------------------------------------

check "--version prints the header's version"
want=$(sed -n 's/^#define FMTDUMP_VERSION_[A-Z]* \([0-9][0-9]*\)$/\1/p' include/fmtdump.h | paste -sd. -)
run --version
expect_rc 0
line "fmtdump $want"
done_check

check "--help lists the options and the exit codes; -h and -V are its short forms"
run --help
expect_rc 0
has "usage: fmtdump"
has "--max-bytes"
has "Exit status"
has "-h, --help"
has "-V, --version"
cp "$T/out" "$T/help"
run -h
expect_rc 0
cmp -s "$T/out" "$T/help" || fail "-h differs from --help"
run -V
expect_rc 0
line "fmtdump $want"
# The synopsis offers no combination that check_args refuses.
sed -n '/^usage:/,/^$/p' "$T/help" | grep -q 'html.*-e ' && fail "the synopsis offers -e with -o html"
done_check

check "usage errors exit 2"
for args in "" "--bogus $T/good.bin" "-o xml $T/good.bin" "--max-bytes abc $T/good.bin" \
            "--max-bytes 0 $T/good.bin" "-f" "$T/good.bin $T/good.bin"; do
    # shellcheck disable=SC2086
    run $args
    [ "$rc" = 2 ] || fail "'$args': exit $rc, expected 2"
done
err_has "fmtdump:"
done_check

check "a missing input exits 3"
run -f "$KSY" "$T/no-such-file.bin"
expect_rc 3
err_has "no-such-file.bin"
done_check

check "a missing input exits 3 during detection too"
FMTDUMP_PATH=$FIX run "$T/no-such-file.bin"
expect_rc 3
done_check

# ---- text --------------------------------------------------------------------

check "text: the tree, one line per field"
run -f "$KSY" "$T/good.bin"
expect_rc 0
line "chunks"
line "  magic = [6 bytes] 89 43 48 4b 0d 0a"
line "  version = 258"
line "  flags = compressed (0x1)"
line "  ofs_tail = 0x2"
line "  extra = null"
line "  chunks [4]"
line "    [0] (chunk)"
line "        name = \"héllo\""
line "        name16 = \"Ω!\""
line "          [0] = -2"
line "        big = 18446744073709551615"
line "        ratio = 1.5"
line '        text = "a\"b\n\x01"'
line "      body = [3 bytes] 01 02 03"
line "  tail = 1212878090"
line "  num_chunks = 4"
line "  is_compressed = true"
[ -s "$T/err" ] && fail "stderr not empty: $(head -c 200 "$T/err")"
done_check

check "text: an unnamed enum value is shown as a number"
run -f "$KSY" "$T/unnamed.bin"
expect_rc 0
line "  flags = 0x20"
done_check

check "text: --max-bytes cuts byte arrays, the total stays"
run -f "$KSY" --max-bytes 2 "$T/good.bin"
expect_rc 0
line "      body = [3 bytes] 01 02 ..."
run -f "$KSY" --max-bytes=1 "$T/good.bin"
line "      body = [3 bytes] 01 ..."
run -f "$KSY" "$T/long.bin"
expect_rc 0
line "      body = [100 bytes] 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ..."
done_check

# ---- json --------------------------------------------------------------------

check "json: seq fields in order, then instances"
run -f "$KSY" -o json "$T/good.bin"
expect_rc 0
json_ok
has '{"magic":"8943484b0d0a","version":258,"flags":"compressed","ofs_tail":2,"extra":null,"chunks":['
has '],"tail":1212878090,"num_chunks":4,"is_compressed":true}'
done_check

check "json: exact integers, floats, strings, bytes, switch"
has '"values":[-2,7],"big":18446744073709551615,"ratio":1.5}'
has '"name":"héllo","name16":"Ω!"'
has '"text":"a\"b\n\u0001"'
has '{"kind":"ZZZZ","len_body":3,"body":"010203"}'
done_check

check "json: unnamed enum as an integer, if-true field present"
run -f "$KSY" -o json "$T/unnamed.bin"
expect_rc 0
has '"flags":32,'
run -f "$KSY" -o json "$T/extra.bin"
expect_rc 0
has '"version":513,"flags":"none","ofs_tail":2,"extra":127,'
done_check

# ---- yaml --------------------------------------------------------------------

check "yaml: the same tree through libyaml"
run -f "$KSY" -o yaml "$T/good.bin"
expect_rc 0
line "magic: '8943484b0d0a'"
line "version: 258"
line "flags: compressed"
line "extra: null"
line "    big: 18446744073709551615"
line "is_compressed: true"
if [ "$have_python" = 1 ] && python3 -c 'import yaml' 2>/dev/null; then
    cp "$T/out" "$T/tree.yaml"
    run -f "$KSY" -o json "$T/good.bin"
    python3 -c 'import json,sys,yaml
a = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
b = json.load(open(sys.argv[2], encoding="utf-8"))
sys.exit(0 if a == b else 1)' "$T/tree.yaml" "$T/out" || fail "the YAML tree differs from the JSON tree"
fi
done_check

# ---- data errors: partial tree, one located line, exit 1 -----------------------

check "truncated input: partial json, _error, located stderr line, exit 1"
run -f "$KSY" -o json "$T/trunc.bin"
expect_rc 1
json_ok
has '"name":"héllo"'
has '{"kind":"NUMS","len_body":25,"_error":{"kind":"EndOfStreamError"'
has '"path":"/chunks/1/body"'
has '"tail":1212878090'
err_lines 1
err_has "fmtdump: $T/trunc.bin: EndOfStreamError:"
err_has "at offset 0x26 (/chunks/1/body)"
err_has "[ksy $KSY:"
done_check

check "truncated input: text tree still printed"
run -f "$KSY" "$T/trunc.bin"
expect_rc 1
line "    [1] (chunk)"
grep -q '^      _error: ERROR EndOfStreamError: .* @0x26 /chunks/1/body$' "$T/out" || fail "no _error line"
err_lines 1
done_check

check "truncated input: yaml tree still printed"
run -f "$KSY" -o yaml "$T/trunc.bin"
expect_rc 1
line "    kind: EndOfStreamError"
done_check

check "a failing instance is isolated from its siblings"
run -f "$KSY" -o json "$T/badptr.bin"
expect_rc 1
json_ok
has '"tail":{"_error":{"kind":"EndOfStreamError"'
has '"num_chunks":4,"is_compressed":true}'
err_lines 1
err_has "(/tail)"
done_check

check "wrong contents: ValidationNotEqualError"
run -f "$KSY" -o json "$T/badmagic.bin"
expect_rc 1
json_ok
has '"_error":{"kind":"ValidationNotEqualError"'
err_has "ValidationNotEqualError"
done_check

check "empty input: exit 1 with an error, no crash"
run -f "$KSY" -o json "$T/empty.bin"
expect_rc 1
json_ok
err_has "EndOfStreamError"
done_check

check "a loop in the data is cut, not followed"
run -f "$FIX/loop.ksy" "$T/loop.bin"
expect_rc 0
line "    next (node) <cycle>"
line "  me (loop) <cycle>"
run -f "$FIX/loop.ksy" -o json "$T/loop.bin"
expect_rc 0
json_ok
has '"next":{"_cycle":true}'
has '"me":{"_cycle":true}'
done_check

check "a chain deeper than the writers' limit is cut, the JSON stays parseable, exit 1 with the cut located"
run -f "$FIX/loop.ksy" -o json "$T/chain.bin"
expect_rc 1
json_ok
has '"next":{"_depth_limit":true}'
err_has "LimitError: writer depth limit of 512 levels reached"
err_has "(/first/next/next/"
run -f "$FIX/loop.ksy" "$T/chain.bin"
expect_rc 1
grep -q 'next (node) <depth limit>$' "$T/out" || fail "no depth limit line"
done_check

# ---- description errors: FILE:LINE:COL, exit 2 --------------------------------

check "invalid YAML: located message, exit 2"
run -f "$FIX/broken_yaml.ksy" "$T/good.bin"
expect_rc 2
grep -q "broken_yaml\.ksy:[0-9][0-9]*:[0-9][0-9]*: " "$T/err" || fail "no FILE:LINE:COL: $(cat "$T/err")"
[ -s "$T/out" ] && fail "stdout not empty"
done_check

check "unknown type: located at its line, exit 2"
run -f "$FIX/broken_type.ksy" "$T/good.bin"
expect_rc 2
err_has "broken_type.ksy:8:"
err_has "no_such_type"
done_check

check "a missing description file: exit 2"
run -f "$FIX/no_such.ksy" "$T/good.bin"
expect_rc 2
err_has "no_such.ksy"
done_check

check "imports: absolute through -I, relative by itself"
run -f "$FIX/uses_pair.ksy" "$T/pair.bin"
expect_rc 2
err_has "uses_pair.ksy:"
run -f "$FIX/uses_pair.ksy" -I "$FIX" -o json "$T/pair.bin"
expect_rc 0
has '{"first":{"a":1,"b":2},"second":{"a":3,"b":4}}'
run -f "$FIX/uses_pair_rel.ksy" -o json "$T/pair.bin"
expect_rc 0
has '{"only":{"a":1,"b":2}}'
done_check

# ---- -e ----------------------------------------------------------------------

check "-e json: the envelope, one result per expression"
run -f "$KSY" -o json -e version -e num_chunks -e 'chunks[1].body.big' -e 'chunks[0].body.name' \
    -e 'chunks[3].body' -e 'flags' -e 'version * 2 + 1' "$T/good.bin"
expect_rc 0
json_ok
has '{"status":"ok","results":[{"value":258},{"value":4},{"value":18446744073709551615},{"value":"héllo"},{"value":"010203"},{"value":"compressed"},{"value":517}]}'
done_check

check "-e json: a struct value, and a failing expression"
run -f "$KSY" -o json -e 'chunks[1].body' -e 'no_such_field' -e 'chunks[9]' "$T/good.bin"
expect_rc 1
json_ok
has '{"value":{"count":2,"values":[-2,7],"big":18446744073709551615,"ratio":1.5}}'
has '{"error":{"kind":'
lacks '"status":"error"'
done_check

check "-e json on a truncated input: status error, results from the partial tree"
run -f "$KSY" -o json -e version -e 'chunks[0].body.name16' "$T/trunc.bin"
expect_rc 1
json_ok
has '{"status":"error","error":{"kind":"EndOfStreamError"'
has '"results":[{"value":258},{"value":"Ω!"}]}'
err_lines 1
done_check

check "-e: an expression that does not parse exits 2 before any output, told on stderr"
for o in json text yaml; do
    run -f "$KSY" -o $o -e version -e '1 +' "$T/good.bin"
    expect_rc 2
    [ -s "$T/out" ] && fail "-o $o: stdout not empty: $(head -c 200 "$T/out")"
    err_lines 1
    err_has "fmtdump: -e '1 +': expression error at column"
done
done_check

check "-e json: a failing expression is also told on stderr, the status is the root's"
run -f "$KSY" -o json -e version -e no_such_field "$T/good.bin"
expect_rc 1
json_ok
has '{"status":"ok","results":[{"value":258},{"error":{"kind":"NameError"'
err_lines 1
err_has "fmtdump: $T/good.bin: -e 'no_such_field': NameError:"
done_check

check "-e yaml: the JSON envelope (JSON is YAML)"
run -f "$KSY" -o yaml -e version "$T/good.bin"
expect_rc 0
json_ok
has '{"status":"ok","results":[{"value":258}]}'
done_check

check "-e text: EXPR = value lines"
run -f "$KSY" -e version -e 'chunks[2].body.text' -e flags -e no_such_field "$T/good.bin"
expect_rc 1
line "version = 258"
line 'chunks[2].body.text = "a\"b\n\x01"'
line "flags = compressed (0x1)"
lacks "no_such_field"
err_lines 1
err_has "fmtdump: $T/good.bin: -e 'no_such_field': NameError:"
done_check

# ---- format detection ------------------------------------------------------------

# A format path of loadable descriptions only (the fixtures also hold broken ones).
FORMATS=$T/fmtpath
mkdir -p "$FORMATS"
cp "$FIX/chunks.ksy" "$FIX/chunks_v2.ksy" "$FORMATS/"

check "a description on the path that does not load: a located warning, detection goes on"
FMTDUMP_PATH=$FIX run -o json "$T/good.bin"
expect_rc 0
has '"version":258'
err_has "fmtdump: warning: description skipped: $FIX/broken_type.ksy:8:11: DescriptionError:"
grep -q "^fmtdump: warning: description skipped: $FIX/broken_yaml.ksy:[0-9]*:[0-9]*: " "$T/err" ||
    fail "no located warning for broken_yaml.ksy: $(head -c 300 "$T/err")"
FMTDUMP_PATH=$FORMATS run -o json "$T/good.bin"
expect_rc 0
[ -s "$T/err" ] && fail "stderr not empty: $(head -c 300 "$T/err")"
done_check

check "detection through FMTDUMP_PATH"
FMTDUMP_PATH=/no/such/dir:$FIX run -o json "$T/good.bin"
expect_rc 0
has '"version":258'
done_check

check "detection takes the longest matching signature"
FMTDUMP_PATH=$FORMATS run "$T/v2.bin"
expect_rc 0
line "chunks_v2"
line "  v2_count = 5"
done_check

check "no matching description: exit 2, the places looked at"
FMTDUMP_PATH=$FIX run "$T/unknown.bin"
expect_rc 2
err_has "looked in $FIX"
err_has "-f KSY"
done_check

if [ -d "$(dirname "$FMTDUMP")/../formats" ]; then
    check "detection from the build tree's formats/"
    printf 'MDMP\223\247' >"$T/tiny.dmp"
    run "$T/tiny.dmp"
    [ "$rc" = 2 ] && fail "not detected: $(head -c 300 "$T/err")"
    lacks "no description"
    done_check
fi

# ---- batch: -o jsonl ------------------------------------------------------------

# lines N: stdout has N lines.  statuses WANT: their "status" values, space-separated.
lines() {
    n=$(wc -l <"$T/out" | tr -d ' ')
    [ "$n" = "$1" ] || fail "stdout has $n lines, expected $1"
}
statuses() {
    got=$(sed 's/^{"file": "[^"]*", "status": "\([a-z]*\)".*/\1/' "$T/out" | tr '\n' ' ')
    [ "$got" = "$1 " ] || fail "statuses '$got', expected '$1 '"
}
# jsonl_ok FILE...: every line is one JSON object naming FILE in order, with
# the keys its status calls for (checked when python3 is present).
jsonl_ok() {
    [ "$have_python" = 1 ] || return 0
    python3 - "$T/out" "$@" >"$T/pyerr" 2>&1 <<'PY' || fail "not JSON Lines: $(tail -1 "$T/pyerr")"
import json, sys
out, files = sys.argv[1], sys.argv[2:]
with open(out, encoding="utf-8") as f:
    raw = f.read()
assert raw.endswith("\n"), "the last line is not complete"
docs = [json.loads(l) for l in raw.split("\n")[:-1]]
assert [d["file"] for d in docs] == files, "files %r" % [d["file"] for d in docs]
for d in docs:
    body = {"tree", "results"} & set(d)
    assert d["status"] in ("ok", "error"), d["status"]
    assert ("error" in d) == (d["status"] == "error"), d["file"]
    if "error" in d:
        assert set(d["error"]) == {"kind", "message", "offset", "path", "file", "line", "col"}
    # Only an input that was never parsed (unreadable, no format) has neither.
    unread = d.get("error", {}).get("kind") == "IOError"
    assert len(body) == (0 if unread else 1) or d["status"] == "error" and not body, sorted(d)
PY
}

check "jsonl: one compact line per input, in order, the batch goes on past a missing file"
run -f "$KSY" -o jsonl "$T/good.bin" "$T/trunc.bin" "$T/no-such-file.bin" "$T/badptr.bin" "$T/extra.bin"
expect_rc 3
lines 5
statuses "ok error error error ok"
jsonl_ok "$T/good.bin" "$T/trunc.bin" "$T/no-such-file.bin" "$T/badptr.bin" "$T/extra.bin"
[ -s "$T/err" ] && fail "stderr not empty: $(head -c 300 "$T/err")"
grep -q '^{"file": "[^"]*/good.bin", "status": "ok", "tree": {"magic":"8943484b0d0a","version":258,' "$T/out" ||
    fail "the first line is not the good tree"
grep -qF '"error": {"kind": "EndOfStreamError"' "$T/out" || fail "no EndOfStreamError"
grep -qF '"path": "/chunks/1/body"' "$T/out" || fail "no located error for the truncated input"
grep -q '"status": "error", "error": {"kind": "IOError", "message": "cannot open [^"]*no-such-file.bin: [^"]*", "offset": null, "path": "", "file": null, "line": 0, "col": 0}}$' "$T/out" ||
    fail "no IOError line for the missing file"
done_check

if [ "$have_python" = 1 ]; then
    check "jsonl: the tree is -o json's, the error the one -o json reports"
    run -f "$KSY" -o jsonl "$T/good.bin" "$T/trunc.bin"
    cp "$T/out" "$T/batch.jsonl"
    run -f "$KSY" -o json "$T/good.bin"
    cp "$T/out" "$T/good.json"
    run -f "$KSY" -o json "$T/trunc.bin"
    python3 - "$T/batch.jsonl" "$T/good.json" "$T/out" "$T/err" >"$T/pyerr" 2>&1 <<'PY' || fail "$(tail -1 "$T/pyerr")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert lines[0]["tree"] == json.load(open(sys.argv[2], encoding="utf-8")), "good tree differs"
assert lines[1]["tree"] == json.load(open(sys.argv[3], encoding="utf-8")), "truncated tree differs"
e = lines[1]["error"]
said = "%s: %s at offset 0x%x (%s)" % (e["kind"], e["message"], e["offset"], e["path"])
assert said in open(sys.argv[4], encoding="utf-8").read(), said
PY
    done_check
fi

check "jsonl: exit 1 when the worst is a data error, 0 when all parse"
run -f "$KSY" -o jsonl "$T/good.bin" "$T/badmagic.bin" "$T/empty.bin" "$T/good.bin"
expect_rc 1
lines 4
statuses "ok error error ok"
[ -s "$T/err" ] && fail "stderr not empty"
run -f "$KSY" -o jsonl "$T/good.bin" "$T/unnamed.bin" "$T/long.bin"
expect_rc 0
lines 3
statuses "ok ok ok"
run -f "$KSY" -o jsonl "$T/good.bin"
expect_rc 0
lines 1
done_check

check "jsonl -e: results per line as in the envelope"
run -f "$KSY" -o jsonl -e version -e 'chunks[0].body.name16' -e no_such_field \
    "$T/good.bin" "$T/trunc.bin" "$T/no-such-file.bin"
expect_rc 3
lines 3
statuses "ok error error"
jsonl_ok "$T/good.bin" "$T/trunc.bin" "$T/no-such-file.bin"
grep -q '^{"file": "[^"]*/good.bin", "status": "ok", "results": \[{"value": 258}, {"value": "Ω!"}, {"error": {"kind": "NameError", [^]]*}}\]}$' "$T/out" ||
    fail "good.bin: $(head -n 1 "$T/out" | head -c 300)"
grep -q '^{"file": "[^"]*/trunc.bin", "status": "error", "error": {"kind": "EndOfStreamError", .*, "results": \[{"value": 258}, {"value": "Ω!"}, {"error": ' "$T/out" ||
    fail "trunc.bin: $(sed -n 2p "$T/out" | head -c 300)"
[ -s "$T/err" ] && fail "stderr not empty"
run -f "$KSY" -o jsonl -e no_such_field "$T/good.bin"
expect_rc 1
done_check

check "jsonl: a bad -e or description exits 2 before any line"
run -f "$KSY" -o jsonl -e version -e '1 +' "$T/good.bin" "$T/good.bin"
expect_rc 2
[ -s "$T/out" ] && fail "stdout not empty"
err_lines 1
err_has "-e '1 +': expression error at column"
run -f "$FIX/broken_type.ksy" -o jsonl "$T/good.bin" "$T/good.bin"
expect_rc 2
[ -s "$T/out" ] && fail "stdout not empty"
err_has "broken_type.ksy:8:"
done_check

check "jsonl: several inputs need -o jsonl"
run -f "$KSY" -o json "$T/good.bin" "$T/good.bin"
expect_rc 2
err_has "more than one input file"
run -f "$KSY" -o jsonl -o json "$T/good.bin" "$T/good.bin"
expect_rc 2
done_check

check "jsonl: each input's format detected, descriptions from the path"
FMTDUMP_PATH=$FORMATS run -o jsonl "$T/good.bin" "$T/v2.bin" "$T/unknown.bin" "$T/no-such-file.bin" "$T/good.bin"
expect_rc 3
lines 5
statuses "ok ok error error ok"
jsonl_ok "$T/good.bin" "$T/v2.bin" "$T/unknown.bin" "$T/no-such-file.bin" "$T/good.bin"
grep -qF '"tree": {"magic":"8943484b0d0a","version":258,' "$T/out" || fail "good.bin not read as chunks"
grep -qF '"v2_count":5' "$T/out" || fail "v2.bin not read as chunks_v2"
grep -qF '/unknown.bin", "status": "error", "error": {"kind": "ValidationNotEqualError", "message": "no description' "$T/out" ||
    fail "no ValidationNotEqualError for unknown.bin"
grep -qF '"error": {"kind": "IOError"' "$T/out" || fail "no IOError for the missing file"
[ -s "$T/err" ] && fail "stderr not empty: $(head -c 300 "$T/err")"
done_check

check "jsonl: nothing on the format path to detect by: exit 2 before any line"
mkdir -p "$T/bin" "$T/nothing"
cp "$FMTDUMP" "$T/bin/fmtdump"
FMTDUMP_PATH=$T/nothing "$T/bin/fmtdump" -o jsonl "$T/good.bin" "$T/good.bin" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 2
[ -s "$T/out" ] && fail "stdout not empty"
err_has "no description on the format path"
err_has "looked in $T/nothing (0 descriptions loaded)"
done_check

check "jsonl: a file name that needs escaping stays on its line"
weird=$T/$(printf 'a "quoted"\tname\001.bin')
cp "$T/good.bin" "$weird"
run -f "$KSY" -o jsonl -e version "$weird"
expect_rc 0
lines 1
grep -qF '\"quoted\"\tname\u0001.bin", "status": "ok", "results": [{"value": 258}]}' "$T/out" ||
    fail "file name not escaped: $(head -c 200 "$T/out")"
jsonl_ok "$weird"
done_check

GEN=$(dirname "$FMTDUMP")/tests/gen_minidump
if [ -x "$GEN" ]; then
    check "jsonl on generated minidumps: sound, truncated, bad magic, missing"
    for v in basic amd64 truncated badmagic; do "$GEN" "$T/$v.dmp" --variant "$v" || fail "gen $v"; done
    run -f "$ROOT/formats/windows_minidump.ksy" -o jsonl \
        "$T/basic.dmp" "$T/amd64.dmp" "$T/truncated.dmp" "$T/badmagic.dmp" "$T/gone.dmp"
    expect_rc 3
    lines 5
    statuses "ok ok error error error"
    jsonl_ok "$T/basic.dmp" "$T/amd64.dmp" "$T/truncated.dmp" "$T/badmagic.dmp" "$T/gone.dmp"
    run -f "$ROOT/formats/windows_minidump.ksy" -o jsonl -e 'streams.size' \
        -e 'streams[3].data.exception_rec.code' "$T/basic.dmp" "$T/amd64.dmp"
    expect_rc 0
    lines 2
    [ "$(grep -cF '"status": "ok", "results": [{"value": 8}, {"value": 3221225477}]}' "$T/out")" = 2 ] ||
        fail "-e results: $(head -c 300 "$T/out")"
    done_check
fi

# ---- bounded work: FIFOs, stdin, lists of names, threads -------------------------

# run_quick ARGS...: fmtdump under `timeout 5` (a hang is exit 124); stdin from $T/stdin when present.
run_quick() {
    if [ -f "$T/stdin" ]; then
        timeout 5 "$FMTDUMP" "$@" <"$T/stdin" >"$T/out" 2>"$T/err"
    else
        timeout 5 "$FMTDUMP" "$@" </dev/null >"$T/out" 2>"$T/err"
    fi
    rc=$?
    flatten
}

if command -v mkfifo >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1 && mkfifo "$T/fifo" "$T/fifo.ksy"; then
    check "a FIFO as the data: an I/O error at once, not a wait for a writer"
    run_quick -f "$KSY" "$T/fifo"
    expect_rc 3
    err_has "cannot read $T/fifo: not a regular file"
    mkdir -p "$T/fifo_path"
    mkfifo "$T/fifo_path/x.ksy"
    cp "$FIX/chunks.ksy" "$T/fifo_path/"
    FMTDUMP_PATH=$T/fifo_path run_quick "$T/fifo"
    expect_rc 3
    run_quick -f "$KSY" -o jsonl "$T/good.bin" "$T/fifo" "$T/good.bin"
    expect_rc 3
    lines 3
    statuses "ok error ok"
    grep -qF '"error": {"kind": "IOError", "message": "cannot read '"$T"'/fifo: not a regular file"' "$T/out" ||
        fail "no IOError line for the FIFO: $(sed -n 2p "$T/out" | head -c 300)"
    done_check

    check "a FIFO as -f: a description error at once"
    run_quick -f "$T/fifo.ksy" "$T/good.bin"
    expect_rc 2
    err_has "not a regular file"
    done_check

    check "a FIFO on the format path: skipped with a warning, detection goes on"
    FMTDUMP_PATH=$T/fifo_path run_quick -o json "$T/good.bin"
    expect_rc 0
    has '"version":258'
    err_has "fmtdump: warning: description skipped: $T/fifo_path/x.ksy: IOError: cannot read $T/fifo_path/x.ksy: not a regular file"
    FMTDUMP_PATH=$T/fifo_path run_quick -o jsonl "$T/good.bin" "$T/fifo"
    expect_rc 3
    statuses "ok error"
    done_check
fi

check "- reads stdin: the same tree as the file, detection too"
run -f "$KSY" -o json "$T/good.bin"
cp "$T/out" "$T/good.json"
cp "$T/good.bin" "$T/stdin"
run_quick -f "$KSY" -o json -
expect_rc 0
cmp -s "$T/out" "$T/good.json" || fail "stdin's tree differs from the file's"
cat "$T/good.bin" | timeout 5 "$FMTDUMP" -f "$KSY" -o json - >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0
cmp -s "$T/out" "$T/good.json" || fail "a pipe's tree differs from the file's"
FMTDUMP_PATH=$FORMATS run_quick -o json -
expect_rc 0
cmp -s "$T/out" "$T/good.json" || fail "detected from stdin: the tree differs"
cp "$T/trunc.bin" "$T/stdin"
run_quick -f "$KSY" -
expect_rc 1
err_has "fmtdump: -: EndOfStreamError:"
: >"$T/stdin"
run_quick -f "$KSY" -e version -
expect_rc 1
err_has "EndOfStreamError"
rm -f "$T/stdin"
done_check

check "jsonl: - among the FILE operands is stdin's bytes, named once at most"
cp "$T/v2.bin" "$T/stdin"
FMTDUMP_PATH=$FORMATS run_quick -o jsonl "$T/good.bin" - "$T/good.bin"
expect_rc 0
lines 3
statuses "ok ok ok"
jsonl_ok "$T/good.bin" - "$T/good.bin"
grep -qF '{"file": "-", "status": "ok", "tree": {"magic":"8943484b0d0a1a0a","v2_count":5' "$T/out" ||
    fail "stdin not read as chunks_v2: $(sed -n 2p "$T/out" | head -c 300)"
rm -f "$T/stdin"
run -f "$KSY" -o jsonl "$T/good.bin" - -
expect_rc 2
err_has "stdin (-) named more than once"
done_check

check "jsonl: the names from stdin (a lone -) or from --files-from, one a line"
printf '%s\n' "$T/good.bin" "" "$T/trunc.bin" "$T/no-such-file.bin" >"$T/stdin"
printf '%s' "$T/extra.bin" >>"$T/stdin"
run_quick -f "$KSY" -o jsonl -
expect_rc 3
lines 4
statuses "ok error error ok"
jsonl_ok "$T/good.bin" "$T/trunc.bin" "$T/no-such-file.bin" "$T/extra.bin"
cp "$T/out" "$T/from_stdin.jsonl"
mv "$T/stdin" "$T/list.txt"
run_quick -f "$KSY" -o jsonl --files-from "$T/list.txt"
expect_rc 3
cmp -s "$T/out" "$T/from_stdin.jsonl" || fail "--files-from differs from the names on stdin"
cp "$T/list.txt" "$T/stdin"
run_quick -f "$KSY" -o jsonl --files-from=-
cmp -s "$T/out" "$T/from_stdin.jsonl" || fail "--files-from=- differs from the names on stdin"
rm -f "$T/stdin"
long=$(printf "%05000d" 0)
printf '%s\n%s\n' "$T/$long" "$T/good.bin" >"$T/stdin"
run_quick -f "$KSY" -o jsonl -
expect_rc 3
lines 2
statuses "error ok"
grep -qF 'file name longer than 4095 bytes' "$T/out" || fail "no IOError for the overlong name"
rm -f "$T/stdin"
run -f "$KSY" -o jsonl --files-from "$T/no-such-list"
expect_rc 3
err_has "cannot open $T/no-such-list"
[ -s "$T/out" ] && fail "stdout not empty"
done_check

check "usage: -j and --files-from need -o jsonl, --files-from takes no FILE"
for args in "-j 2 $T/good.bin" "--files-from $T/list.txt" "-o jsonl -j 0 $T/good.bin" "-o jsonl -j 65 $T/good.bin" \
            "-o jsonl -j x $T/good.bin" "-o jsonl --files-from $T/list.txt $T/good.bin" "-o jsonl --files-from"; do
    # shellcheck disable=SC2086
    run -f "$KSY" $args
    [ "$rc" = 2 ] || fail "'$args': exit $rc, expected 2"
done
done_check

check "jsonl -j 2: the same lines in the same order as -j 1, on 50 files"
: >"$T/many.txt"
i=0
while [ $i -lt 50 ]; do
    case $((i % 5)) in
        0) f=$T/good.bin ;; 1) f=$T/trunc.bin ;; 2) f=$T/gone$i.bin ;; 3) f=$T/long.bin ;; *) f=$T/badptr.bin ;;
    esac
    echo "$f" >>"$T/many.txt"
    i=$((i + 1))
done
run -f "$KSY" -o jsonl --files-from "$T/many.txt"
rc1=$rc
cp "$T/out" "$T/j1.jsonl"
lines 50
for j in 2 3; do
    run -f "$KSY" -o jsonl -j $j --files-from "$T/many.txt"
    [ "$rc" = "$rc1" ] || fail "-j $j: exit $rc, -j 1 exited $rc1"
    cmp -s "$T/out" "$T/j1.jsonl" || fail "-j $j output differs from -j 1"
done
FMTDUMP_PATH=$FORMATS run -o jsonl -j 2 -e version --files-from "$T/many.txt"
expect_rc 3
lines 50
[ "$(grep -c '"results": \[{"value": 258}\]' "$T/out")" = 40 ] || fail "-e results under -j 2: $(head -c 300 "$T/out")"
done_check

# ---- where bytes live: --at, --coverage --------------------------------------------

check "--at: the field holding a byte, its span, value and bytes; exit 1 past every node"
run -f "$KSY" --at 0x3 "$T/good.bin"
expect_rc 0
line "/magic"
line "  span  0x0..0x6 (6 bytes); in its stream 0x0..0x6 (stream at 0x0, 0x57 bytes)"
line "  value [6 bytes] 89 43 48 4b 0d 0a"
grep -q '^  bytes 0x00000000 \[89 43 48 4b 0d 0a\]01 02 ' "$T/out" || fail "no marked bytes: $(head -c 300 "$T/out")"
run -f "$KSY" --at=6 -o json "$T/good.bin"
expect_rc 0
json_ok
has '{"offset":6,"found":true,"path":"/version","span":{"start":6,"end":8,"size":2,'
has '"kind":"int","value":258,"context":{"start":0,"hex":"8943484b0d0a0102'
run -f "$KSY" --at 100000 "$T/good.bin"
expect_rc 1
err_has "no node covers offset 0x186a0"
run -f "$KSY" --at 100000 -o json "$T/good.bin"
expect_rc 1
json_ok
has '{"offset":100000,"found":false}'
done_check

check "--coverage: a fully claimed input has no gaps; a trailing byte cut short is one"
run -f "$KSY" --coverage "$T/good.bin"
expect_rc 0
line "size 0x57 (87 bytes), covered 87 bytes, 0 gaps of 0 bytes"
{ cat "$T/good.bin"; printf 'Z'; } >"$T/plus1.bin"
# The extra byte is a chunk cut short: a failed node, its byte a gap, exit 1.
run -f "$KSY" --coverage -o json "$T/plus1.bin"
expect_rc 1
json_ok
has '{"size":88,"covered":87,"complete":true,"errors":1,"gaps":[{"start":87,"end":88,"size":1}]}'
err_has "EndOfStreamError"
done_check

if [ -x "$GEN" ]; then
    check "--coverage on a cut dump: the failed nodes counted, the first told on stderr, exit 1"
    "$GEN" "$T/cut.dmp" --variant truncated || fail "gen"
    run --coverage -o json "$T/cut.dmp"
    expect_rc 1
    json_ok
    grep -q '"errors": [1-9]' "$T/out" || fail "no error count: $(head -c 200 "$T/out")"
    err_has "EndOfStreamError"
    err_has "(/streams/"
    done_check
fi

check "--spans: json and jsonl trees say where each node's bytes are; not without it"
run -f "$KSY" -o json --spans "$T/good.bin"
expect_rc 0
json_ok
has '"_span":{"start":0,"end":'
has '"magic":"8943484b0d0a"'
run -f "$KSY" -o jsonl --spans "$T/good.bin"
expect_rc 0
has '"tree":{"_span":{"start":0,"end":'
run -f "$KSY" -o json "$T/good.bin"
lacks '"_span"'
done_check

check "-o html: one page; a data error still exits 1"
run -f "$KSY" -o html "$T/good.bin"
expect_rc 0
head -n 1 "$T/out" | grep -qF '<!DOCTYPE html>' || fail "not an HTML page: $(head -c 200 "$T/out")"
grep -qF '</html>' "$T/out" || fail "the page is not closed"
run -f "$KSY" -o html "$T/trunc.bin"
expect_rc 1
err_lines 1
err_has "EndOfStreamError"
done_check

check "usage: --at and --coverage alone, one FILE, text or json"
for args in "--at 1 -e version" "--at 1 --coverage" "--coverage -e version" "--at x1" "--at -1" "--at 0x" \
            "--at 1 -o yaml" "--at 1 -o html" "--coverage -o jsonl" "--spans" "--spans -o yaml" \
            "-e version -o html"; do
    # shellcheck disable=SC2086
    run -f "$KSY" $args "$T/good.bin"
    [ "$rc" = 2 ] || fail "'$args': exit $rc, expected 2"
done
done_check

check "usage: --spans marks trees, --max-bytes shortens text, -j needs jsonl; refused elsewhere"
for args in "--spans -o json -e version" "--spans -o jsonl -e version" "--spans -o json --at 1" \
            "--spans -o json --coverage" "--max-bytes 2 -o json" "--max-bytes 2 -o yaml" "--max-bytes 2 -o html" \
            "--max-bytes 2 -o jsonl" "--max-bytes 2 --at 1" "--max-bytes 2 --coverage" "-j 1" "-j 2 -o json"; do
    # shellcheck disable=SC2086
    run -f "$KSY" $args "$T/good.bin"
    [ "$rc" = 2 ] || fail "'$args': exit $rc, expected 2"
    [ -s "$T/out" ] && fail "'$args': printed $(head -c 100 "$T/out")"
done
err_has "Try 'fmtdump --help'."
run -f "$KSY" --max-bytes 1 -e 'chunks[3].body' "$T/good.bin"
expect_rc 0
line "chunks[3].body = [3 bytes] 01 ..."
# What each synopsis line offers is accepted.
for args in "-o text --max-bytes 2 -e version" "-o json --spans" "-o html --spans" "-o yaml -e version" \
            "-o json -e version" "-o json --at 1" "--coverage" "-o jsonl -j 2 --spans" "-o jsonl -j 2 -e version"; do
    # shellcheck disable=SC2086
    run -f "$KSY" $args "$T/good.bin"
    [ "$rc" = 0 ] || fail "'$args': exit $rc, expected 0: $(head -c 200 "$T/err")"
done
done_check

check "budgets: --max-work, --max-memory, --max-output lower or raise the derived ones"
run -f "$KSY" -o json "$T/good.bin"
cp "$T/out" "$T/default.json"
run -f "$KSY" -o json --max-work 1G --max-memory 1G --max-output 1G "$T/good.bin"
expect_rc 0
cmp -s "$T/out" "$T/default.json" || fail "raised budgets changed a sound tree"
run -f "$KSY" -o json --max-work 3 "$T/good.bin"
expect_rc 1
json_ok
err_has "LimitError"
err_has "(3 units for a 87-byte input)"
run -f "$KSY" -o json --max-output=300 "$T/good.bin"
expect_rc 1
json_ok
err_has "LimitError: output budget of 300 bytes reached"
run -f "$KSY" --max-memory 1K "$T/good.bin"
expect_rc 1
err_has "MemoryError: memory limit reached (1024 bytes)"
run -f "$KSY" -o jsonl --max-work 3 "$T/good.bin"
expect_rc 1
has '"status":"error"'
has '"kind":"LimitError"'
for args in "--max-work 0" "--max-memory -1" "--max-output 3X" "--max-work 1KB" "--max-memory" "--max-output=" \
            "--max-work 99999999999999999999"; do
    # shellcheck disable=SC2086
    run -f "$KSY" $args "$T/good.bin"
    [ "$rc" = 2 ] || fail "'$args': exit $rc, expected 2"
done
err_has "a positive number"
done_check

if [ -x "$GEN" ]; then
    "$GEN" "$T/basic.dmp" --variant basic && "$GEN" "$T/gap.dmp" --variant gap || fail "gen"
    check "--at on a module name: that module's module_name (a lazy instance)"
    run -e 'streams[1].data.modules[1].ofs_module_name' "$T/basic.dmp"
    name_at=$(sed -n 's/^.* = //p' "$T/out")
    run --at $((name_at + 6)) "$T/basic.dmp"
    expect_rc 0
    line "/streams/1/data/modules/1/module_name/str"
    line '  value "C:\\WINDOWS\\system32\\kernel32.dll"'
    run --at "$(printf '0x%x' "$name_at")" -o json "$T/basic.dmp"
    expect_rc 0
    json_ok
    has "{\"offset\":$name_at,\"found\":true,\"path\":\"/streams/1/data/modules/1/module_name/len_str\",\"span\":{\"start\":$name_at,\"end\":$((name_at + 4)),"
    done_check

    check "--coverage on a dump with 64 unreferenced bytes at the end: exactly that gap more"
    run --coverage "$T/basic.dmp"
    expect_rc 0
    grep '^  0x' "$T/out" >"$T/basic.gaps"
    run --coverage "$T/gap.dmp"
    expect_rc 0
    grep '^  0x' "$T/out" >"$T/gap.gaps"
    size=$(wc -c <"$T/basic.dmp" | tr -d ' ')
    want=$(printf '  0x%08x..0x%08x  64 bytes' "$size" $((size + 64)))
    [ "$(diff "$T/basic.gaps" "$T/gap.gaps" | sed -n 's/^> //p')" = "$want" ] ||
        fail "new gaps: $(diff "$T/basic.gaps" "$T/gap.gaps" | head -c 300), expected '$want'"
    # What basic.dmp leaves unclaimed is only alignment padding (at most 4 bytes each).
    awk '$2 > 4 { bad = 1 } END { exit bad }' "$T/basic.gaps" || fail "basic.dmp gaps: $(cat "$T/basic.gaps")"
    run --coverage -o json "$T/gap.dmp"
    json_ok
    has "{\"start\":$size,\"end\":$((size + 64)),\"size\":64}]}"
    has '"complete":true'
    done_check
fi

# ---- output ----------------------------------------------------------------------

if [ -w /dev/full ]; then
    check "an output write error exits 3"
    "$FMTDUMP" -f "$KSY" -o json "$T/good.bin" >/dev/full 2>"$T/err"
    rc=$?
    expect_rc 3
    done_check
    check "jsonl: an output write error exits 3 with one line on stderr"
    for j in 1 2; do
        "$FMTDUMP" -f "$KSY" -o jsonl -j $j "$T/good.bin" "$T/good.bin" >/dev/full 2>"$T/err"
        rc=$?
        expect_rc 3
        err_lines 1
        err_has "cannot write the output"
    done
    done_check
    check "--help and --version: an output write error exits 3"
    for o in --help --version; do
        "$FMTDUMP" $o >/dev/full 2>"$T/err"
        rc=$?
        expect_rc 3
        err_has "cannot write the output"
    done
    done_check
fi

finish e2e
