#!/bin/sh
# readme_example.sh - compile and run the README's library examples, taken from the README itself.
# usage: BUILD=build sh tests/readme_example.sh            against the build tree (`make example`)
#        sh tests/readme_example.sh --installed PREFIX     against `make install PREFIX=...`, via pkg-config
# CC, CFLAGS and LDFLAGS are honoured (make passes its own, so sanitizer builds link alike).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -g}
LDFLAGS=${LDFLAGS:-}
PREFIX=
if [ "${1:-}" = --installed ]; then PREFIX=${2:?--installed wants a PREFIX}; fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
passed=0
failed=0
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
pass() { echo "ok   $1"; passed=$((passed + 1)); }

# The first ```c block of the "## Library" section is the example.
awk '/^## Library$/ { lib = 1; next } lib && /^## / { exit }
     lib && /^```c$/ { code = 1; next } code && /^```$/ { exit } code { print }' README.md >"$T/example.c"
[ -s "$T/example.c" ] || { echo "readme_example: no \`\`\`c block under ## Library in README.md"; exit 1; }
grep -q 'int main' "$T/example.c" || { echo "readme_example: the README's C block has no main"; exit 1; }
# The second one, when there is one: the API guide's spans, coverage and sink example.
awk '/^## Library$/ { lib = 1; next } lib && /^## / { exit }
     lib && /^```c$/ { n++; code = 1; next } code && /^```$/ { code = 0; next } code && n == 2 { print }' \
    README.md >"$T/example2.c"

GEN=$BUILD/tests/gen_minidump
[ -x "$GEN" ] || { echo "readme_example: $GEN missing (run make)"; exit 1; }
"$GEN" "$T/sample.dmp" >/dev/null
head -c 20 "$T/sample.dmp" >"$T/short.dmp"
printf 'meta:\n  id: [unclosed\n' >"$T/bad.ksy"

# run NAME KSY EXE: the example on the sample, a cut dump and a broken description.
run_cases() {
    name=$1 ksy=$2 exe=$3
    if "$exe" "$ksy" "$T/sample.dmp" >"$T/out" 2>"$T/err"; then
        if grep -qx 'stream 0: thread_list' "$T/out" && grep -qx '8 streams' "$T/out"; then
            pass "$name: lists the sample's streams"
        else fail "$name: unexpected output: $(head -c 300 "$T/out")"; fi
    else fail "$name: exit $? on the sample: $(head -c 300 "$T/err")"; fi
    "$exe" "$ksy" "$T/short.dmp" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 1 ] && pass "$name: a 20-byte dump is a data error" || fail "$name: exit $rc on a 20-byte dump"
    "$exe" "$T/bad.ksy" "$T/sample.dmp" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" = 2 ] && grep -q 'bad.ksy:[0-9]*:[0-9]*:' "$T/err"; then
        pass "$name: a broken description is located"
    else fail "$name: exit $rc on a broken description: $(head -c 300 "$T/err")"; fi
}

# needs_soname NAME EXE: the executable depends on libfmtdump.so.MAJOR, not on a full file name.
needs_soname() {
    command -v readelf >/dev/null 2>&1 || return 0
    if readelf -d "$2" | grep -q 'NEEDED.*\[libfmtdump\.so\.[0-9]*\]'; then
        pass "$1: linked against the soname"
    else fail "$1: no NEEDED libfmtdump.so.N entry"; fi
}

WARN="-std=c11 -Wall -Wextra -Werror"
if [ -z "$PREFIX" ]; then
    KSY=$ROOT/formats/windows_minidump.ksy
    # shellcheck disable=SC2086 # flag lists split on purpose
    if $CC $WARN $CFLAGS -I"$ROOT/include" -o "$T/static" "$T/example.c" "$BUILD/libfmtdump.a" \
        $LDFLAGS -lyaml -lz -lm 2>"$T/cc"; then
        pass "static: compiles against libfmtdump.a"
        run_cases static "$KSY" "$T/static"
    else fail "static: does not compile: $(head -c 600 "$T/cc")"; fi
    # shellcheck disable=SC2086
    if [ ! -s "$T/example2.c" ]; then
        :
    elif $CC $WARN $CFLAGS -I"$ROOT/include" -o "$T/second" "$T/example2.c" "$BUILD/libfmtdump.a" \
        $LDFLAGS -lyaml -lz -lm 2>"$T/cc"; then
        if "$T/second" "$KSY" "$T/sample.dmp" >"$T/out" 2>"$T/err" &&
            grep -qx '/streams/3/data/exception_rec/code = 0xc0000005' "$T/out" &&
            grep -q '^{"_span":{"start":8,' "$T/out" && grep -q '^[0-9]* of [0-9]* bytes covered, [0-9]* gaps$' "$T/out"; then
            pass "second example: node at an offset, a sink with spans, coverage"
        else fail "second example: unexpected output: $(head -c 300 "$T/out") $(head -c 300 "$T/err")"; fi
    else fail "second example: does not compile: $(head -c 600 "$T/cc")"; fi
    # shellcheck disable=SC2086
    if $CC $WARN $CFLAGS -I"$ROOT/include" -o "$T/shared" "$T/example.c" -L"$BUILD" -lfmtdump \
        -Wl,-rpath,"$BUILD" $LDFLAGS 2>"$T/cc"; then
        pass "shared: compiles against libfmtdump.so"
        needs_soname shared "$T/shared"
        run_cases shared "$KSY" "$T/shared"
    else fail "shared: does not compile: $(head -c 600 "$T/cc")"; fi
else
    KSY=$PREFIX/share/fmtdump/formats/windows_minidump.ksy
    PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
    export PKG_CONFIG_PATH
    if ! flags=$(pkg-config --cflags --libs fmtdump 2>"$T/pc"); then
        fail "installed: pkg-config fmtdump: $(cat "$T/pc")"
    # shellcheck disable=SC2086
    elif (cd "$T" && $CC $WARN $CFLAGS -o installed example.c $flags $LDFLAGS) 2>"$T/cc"; then
        pass "installed: compiles with pkg-config's flags ($flags)"
        needs_soname installed "$T/installed"
        LD_LIBRARY_PATH=$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
        export LD_LIBRARY_PATH
        run_cases installed "$KSY" "$T/installed"
    else fail "installed: does not compile with $flags: $(head -c 600 "$T/cc")"; fi
fi

echo "readme_example: $passed passed, $failed failed"
[ "$failed" = 0 ]
