#!/bin/sh
# e2e_minidump.sh - end-to-end tests of build/fmtdump on minidumps written by build/tests/gen_minidump.
# usage: BUILD=build sh tests/e2e_minidump.sh      (also run by `make e2e`)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. "$ROOT/tests/e2e_lib.sh"
GEN=$BUILD_DIR/tests/gen_minidump
KSY=$ROOT/formats/windows_minidump.ksy

# ---- helpers ---------------------------------------------------------------

# value EXPR WANT: `-e EXPR` on the current dump gives the JSON value WANT.
value() {
    run -f "$KSY" -o json -e "$1" "$dmp"
    grep -qF -- "{\"value\":$2}" "$T/flat" || fail "-e '$1': want $2, got $(head -c 200 "$T/flat")"
}

gen() {
    "$GEN" "$T/$1.dmp" --variant "$1" 2>"$T/generr" || { echo "FAIL gen $1: $(cat "$T/generr")"; exit 1; }
}

[ -x "$GEN" ] || { echo "e2e-minidump: $GEN missing (run make)"; exit 1; }

for v in basic amd64 padded misc24 misc232 misc832 misc1364 mem64 custom truncated badmagic \
         hugecount loop overlap be be-misc1364; do
    gen "$v"
done
"$GEN" "$T/ranges.dmp" --variant many-ranges --count 1000 || exit 1

# ---- sound dumps --------------------------------------------------------------

check "generator is deterministic"
"$GEN" "$T/again.dmp"
cmp -s "$T/basic.dmp" "$T/again.dmp" || fail "two runs differ"
done_check

check "format detected without -f"
dmp=$T/basic.dmp
run "$dmp"
expect_rc 0
grep -q 'thread_list' "$T/out" || fail "text output lacks thread_list"
grep -qF 'crashy.exe' "$T/out" || fail "text output lacks the module name"
done_check

check "header"
run -o json "$dmp"
expect_rc 0
has '"magic1":"4d444d50"'
has '"magic2":"93a7"'
has '"version":0,"magic2_be":null,"num_streams":8,"ofs_streams":32,"checksum":0,"timestamp":1600000000,"flags":0'
has '"is_be":false'
lacks '"_error"'
done_check

check "stream directory and names"
run -o json "$dmp"
for name in thread_list module_list memory_list exception system_info misc_info; do
    has "\"stream_type\":\"$name\""
done
value 'streams.size' 8
value 'streams[3].stream_type' '"exception"'
done_check

check "padding entry (type 0, size 0)"
run -o json "$dmp"
has '"stream_type":"unused","len_data":0,"ofs_data":0'
done_check

check "unknown stream kept raw with its number"
run -o json "$dmp"
has '"stream_type":305419896,"len_data":8'
has '"data":"deadbeef00112233"'
value 'streams[6].stream_type.to_i' 305419896
done_check

check "system info"
value 'streams[4].data.cpu_arch' '"intel"'
value 'streams[4].data.os_platform' '"win32_nt"'
value 'streams[4].data.os_build' 2600
value 'streams[4].data.service_pack.str' '"Service Pack 3"'
value 'streams[4].data.cpu.vendor_id' '"GenuineIntel"'
done_check

check "threads"
run -o json "$dmp"
has '"num_threads":2'
has '"thread_id":4660'
has '"thread_id":22136'
value 'streams[0].data.threads[1].thread_id' 22136
value 'streams[0].data.threads[0].context.regs.eip' 4198964
value 'streams[0].data.threads[0].stack.memory.len_data' 256
done_check

check "modules"
value 'streams[1].data.num_modules' 2
value 'streams[1].data.modules[0].module_name.str' '"C:\\fmtdump\\crashy.exe"'
value 'streams[1].data.modules[1].module_name.str' '"C:\\WINDOWS\\system32\\kernel32.dll"'
value 'streams[1].data.modules[1].base_of_image' 2088763392
value 'streams[1].data.modules[0].version_info.signature' 4277077181
value 'streams[1].data.modules[0].cv_info.cv_signature' '"rsds"'
value 'streams[1].data.modules[0].cv_info.info.age' 1
value 'streams[1].data.modules[0].cv_info.info.signature.data1' 1519923941
value 'streams[1].data.modules[0].cv_info.info.pdb_file_name' '"C:\\fmtdump\\crashy.pdb"'
done_check

check "memory list"
value 'streams[2].data.num_mem_ranges' 3
value 'streams[2].data.mem_ranges[2].memory.len_data' 16
value 'streams[2].data.mem_ranges[2].memory.data' '"90979ea5acb3bac1c8cfd6dde4ebf2f9"'
done_check

check "exception"
value 'streams[3].data.thread_id' 4660
value 'streams[3].data.exception_rec.code' 3221225477
value 'streams[3].data.exception_rec.addr' 4198964
value 'streams[3].data.exception_rec.num_params' 2
value 'streams[3].data.exception_rec.params[1]' 69
value 'streams[3].data.context.regs.esp' 1241088
done_check

check "misc info, 44 bytes"
value 'streams[5].data.len_info' 44
value 'streams[5].data.process_id' 4242
value 'streams[5].data.cpu_max_mhz' 2400
value 'streams[5].data.process_integrity_level' null
done_check

check "amd64 contexts"
dmp=$T/amd64.dmp
run -o json "$dmp"
expect_rc 0
value 'streams[4].data.cpu_arch' '"amd64"'
value 'streams[0].data.threads[0].context.layout' '"amd64"'
value 'streams[0].data.threads[0].context.regs.rip' 4198964
value 'streams[0].data.threads[1].context.regs.rsp' 9957376
value 'streams[4].data.service_pack.str' '"Service Pack 1"'
value 'streams[4].data.cpu.vendor_id' '"GenuineIntel"'
done_check

check "list padding quirk"
dmp=$T/padded.dmp
run -o json "$dmp"
expect_rc 0
has '"num_threads":2,"padding":"00000000"'
value 'streams[0].data.threads[1].thread_id' 22136
value 'streams[1].data.modules[1].module_name.str' '"C:\\WINDOWS\\system32\\kernel32.dll"'
value 'streams[2].data.mem_ranges.size' 3
done_check

# Each MiscInfo size parses without reading past the stream.
for size in 24 232 832 1364; do
    check "misc info, $size bytes"
    dmp=$T/misc$size.dmp
    run -o json "$dmp"
    expect_rc 0
    lacks '"_error"'
    value 'streams[5].data.len_info' "$size"
    value 'streams[5].data.process_id' 4242
    case $size in
        24) value 'streams[5].data.cpu_max_mhz' null ;;
        232) value 'streams[5].data.time_zone.standard_name' '"Coordinated Universal Time"'
             value 'streams[5].data.build_string' null ;;
        832) value 'streams[5].data.build_string' '"10.0.19041.1 (WinBuild.160101.0800)"'
             value 'streams[5].data.process_cookie' null ;;
        1364) value 'streams[5].data.process_cookie' 305441741
              value 'streams[5].data.xstate_data.features[2].offset' 576 ;;
    esac
    done_check
done

check "memory64 list offsets"
dmp=$T/mem64.dmp
run -o json "$dmp"
expect_rc 0
has '"stream_type":"memory_64_list"'
value 'streams[2].data.num_mem_ranges' 3
value 'streams[2].data.mem_ranges[0].ofs_data - streams[2].data.ofs_base' 0
value 'streams[2].data.mem_ranges[1].ofs_data - streams[2].data.ofs_base' 16
value 'streams[2].data.mem_ranges[2].ofs_data - streams[2].data.ofs_base' 48
value 'streams[2].data.mem_ranges[2].addr_memory_range' 196608
value 'streams[2].data.mem_ranges[0].data' '"a0a7aeb5bcc3cad1d8dfe6edf4fb0209"'
done_check

check "many ranges"
dmp=$T/ranges.dmp
run -o json "$dmp"
expect_rc 0
value 'streams[1].data.mem_ranges.size' 1000
value 'streams[1].data.mem_ranges[999].addr_memory_range' 272527360
done_check

check "overlapping and duplicate streams are well-formed"
dmp=$T/overlap.dmp
run -o json "$dmp"
expect_rc 0
has '"stream_type":2119696382'
value 'streams[8].data.threads[1].thread_id' 22136
done_check

# ---- big-endian (byte-swapped) dumps -------------------------------------------

check "big-endian dump detected without -f"
dmp=$T/be.dmp
run "$dmp"
expect_rc 0
grep -qF 'crashy.exe' "$T/out" || fail "text output lacks the module name"
run -o json "$dmp"
expect_rc 0
has '"magic1":"504d444d","magic2":null,"version":0,"magic2_be":"a793","num_streams":8,"ofs_streams":32'
has '"is_be":true'
lacks '"_error"'
done_check

# The same -e expressions on the little- and big-endian basic dumps give the same values.
be_exprs='streams.size
streams[0].data.threads[0].thread_id
streams[0].data.threads[1].thread_id
streams[0].data.threads[1].context.regs.eip
streams[1].data.modules[0].module_name.str
streams[1].data.modules[1].module_name.str
streams[1].data.modules[1].base_of_image
streams[1].data.modules[0].cv_info.cv_signature
streams[1].data.modules[0].cv_info.info.signature.data1
streams[1].data.modules[0].cv_info.info.pdb_file_name
streams[2].data.mem_ranges[2].memory.data
streams[3].data.exception_rec.code
streams[3].data.exception_rec.params[1]
streams[3].data.context.regs.esp
streams[4].data.cpu_arch
streams[4].data.service_pack.str
streams[5].data.process_id
timestamp'

# values: every expression of $be_exprs on $dmp, as one JSON envelope in $T/values; sets $rc.
values() {
    set --
    while IFS= read -r e; do
        set -- "$@" -e "$e"
    done <<END_EXPRS
$be_exprs
END_EXPRS
    "$FMTDUMP" -f "$KSY" -o json "$@" "$dmp" >"$T/values" 2>"$T/err"
    rc=$?
}

check "big-endian dump: same values as the little-endian one"
dmp=$T/basic.dmp
values
expect_rc 0
cp "$T/values" "$T/values.le"
dmp=$T/be.dmp
values
expect_rc 0
grep -qF '"status": "ok"' "$T/values" || fail "not ok: $(head -c 300 "$T/values")"
grep -qF '"error"' "$T/values" && fail "an expression failed: $(head -c 600 "$T/values")"
cmp -s "$T/values.le" "$T/values" || fail "values differ: $(diff "$T/values.le" "$T/values" | head -c 400)"
value 'streams[0].data.threads[1].thread_id' 22136
value 'streams[1].data.modules[0].module_name.str' '"C:\\fmtdump\\crashy.exe"'
value 'streams[3].data.exception_rec.code' 3221225477
done_check

check "big-endian misc info: UTF-16BE time zone and build strings"
dmp=$T/be-misc1364.dmp
run -o json "$dmp"
expect_rc 0
lacks '"_error"'
value 'streams[5].data.time_zone.standard_name' '"Coordinated Universal Time"'
value 'streams[5].data.build_string' '"10.0.19041.1 (WinBuild.160101.0800)"'
value 'streams[5].data.dbg_bld_str' '"dbgcore.amd64fre"'
value 'streams[5].data.process_cookie' 305441741
value 'streams[5].data.xstate_data.features[2].offset' 576
done_check

# ---- malformed and hostile dumps ----------------------------------------------

check "truncated: exit 1, partial tree, located error"
run -o json "$T/truncated.dmp"
expect_rc 1
has '"num_streams":8'
has '"stream_type":"thread_list"'
has '"_error":{"kind":"EndOfStreamError"'
has '"path":"/streams/0/data"'
err_has 'EndOfStreamError'
err_has 'offset'
err_has '/streams/'
done_check

check "bad signature: ValidationNotAnyOfError"
run -f "$KSY" -o json "$T/badmagic.dmp"
expect_rc 1
err_has 'ValidationNotAnyOfError'
err_has 'offset'
has '"_error":{"kind":"ValidationNotAnyOfError"'
run "$T/badmagic.dmp"
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] || fail "no -f: exit $rc, expected a clean error"
done_check

check "huge thread count: quick exit 1 within 200 MB"
run -f "$KSY" "$T/basic.dmp"
base_rc=$rc
# A sanitizer build reserves terabytes of address space; the memory cap needs a plain build.
# The probe runs in its own shell so that a sanitizer's abort is reported to /dev/null.
if sh -c 'ulimit -v 200000 && "$0" -f "$1" "$2"; exit $?' "$FMTDUMP" "$KSY" "$T/basic.dmp" >/dev/null 2>&1; then
    limited() { ( ulimit -v 200000 && exec "$@" ); }
else
    echo "note: $FMTDUMP does not run under ulimit -v (sanitizer build?): memory cap skipped"
    limited() { "$@"; }
fi
start=$(date +%s)
limited "$FMTDUMP" -f "$KSY" -o json "$T/hugecount.dmp" >"$T/out" 2>"$T/err"
rc=$?
elapsed=$(($(date +%s) - start))
flatten
[ "$base_rc" = 0 ] || fail "basic dump: exit $base_rc"
expect_rc 1
[ "$elapsed" -le 5 ] || fail "took ${elapsed} s"
has '"num_threads":4294967295'
has '"thread_id":22136'
err_has 'offset'
done_check

check "self-referencing rvas terminate"
run -f "$KSY" -o json "$T/loop.dmp"
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "exit $rc"
has '"stream_type":"handle_data"'
has '"stream_type":2119696383'
size=$(wc -c <"$T/out")
[ "$size" -lt 16000000 ] || fail "a 4 KB file gave $size bytes of output"
has '"thread_id":22136'
done_check

# ---- the user's workflow: a new stream layout, no rebuild --------------------

check "custom stream stays raw with the stock description"
run -o json "$T/custom.dmp"
expect_rc 0
has '"stream_type":2119630849,"len_data":30'
has '"data":"5445535403000100000064000000020000'
done_check

check "user adds a stream layout to a copy of the description"
mkdir -p "$T/user"
awk '
    /^  stream_types:$/ { print; print "    0x7e570001: test_stream"; next }
    /^            stream_types::thread_list: thread_list$/ {
        print; print "            stream_types::test_stream: test_stream"; next }
    /^types:$/ {
        print
        print "  test_stream:"
        print "    doc: A stream of our own (id/value pairs)."
        print "    seq:"
        print "      - id: magic"
        print "        contents: TEST"
        print "      - id: count"
        print "        type: u2"
        print "      - id: entries"
        print "        type: test_entry"
        print "        repeat: expr"
        print "        repeat-expr: count"
        print "  test_entry:"
        print "    seq:"
        print "      - id: id"
        print "        type: u4"
        print "      - id: value"
        print "        type: u4"
        next
    }
    { print }
' "$KSY" >"$T/user/my_minidump.ksy"
[ "$(grep -c 'test_stream' "$T/user/my_minidump.ksy")" = 3 ] || fail "could not edit the description copy"
dmp=$T/custom.dmp
run -f "$T/user/my_minidump.ksy" -o json "$dmp"
expect_rc 0
has '"stream_type":"test_stream"'
has '"magic":"54455354","count":3'
has '{"id":3,"value":3735928559}'
run -f "$T/user/my_minidump.ksy" -o json -e 'streams[6].data.entries[1].value' "$dmp"
has '{"value":200}'
run -f "$T/user/my_minidump.ksy" -o json -e 'streams[6].data.entries.size' "$dmp"
has '{"value":3}'
done_check

check "a mistake in the user's description is located"
sed 's/^        type: test_entry$/        type: test_entyr/' "$T/user/my_minidump.ksy" >"$T/user/broken.ksy"
run -f "$T/user/broken.ksy" "$T/custom.dmp"
expect_rc 2
line=$(grep -n 'test_entyr' "$T/user/broken.ksy" | cut -d: -f1)
err_has "broken.ksy:$line:"
done_check

check "write programs print what the objects print, budgets cutting anywhere"
# flatcheck writes each dump both ways under output, work and memory budgets from tight to loose.
"$BUILD_DIR/tests/flatcheck" --sweep "$KSY" "$T"/*.dmp >"$T/out" 2>"$T/err" || fail "$(head -c 600 "$T/err")"
grep -q ' 0 differ, 0 not written; [1-9][0-9]* elements by write programs' "$T/out" ||
    fail "no element written by a program: $(cat "$T/out")"
"$BUILD_DIR/tests/flatcheck" --compact "$KSY" "$T/ranges.dmp" >"$T/out" 2>"$T/err" || fail "$(head -c 600 "$T/err")"
grep -q '; 1996 elements by write programs' "$T/out" || fail "the 1,000 ranges (JSON and text): $(cat "$T/out")"
done_check

finish e2e-minidump
