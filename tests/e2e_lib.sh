# e2e_lib.sh - the harness the end-to-end scripts share: paths, a temp dir, checks and fmtdump runs.
# Sourced by tests/e2e.sh and tests/e2e_minidump.sh after `cd` to the project root.

BUILD=${BUILD:-build}
case $BUILD in /*) BUILD_DIR=$BUILD ;; *) BUILD_DIR=$ROOT/$BUILD ;; esac
FMTDUMP=$BUILD_DIR/fmtdump
[ -x "$FMTDUMP" ] || { echo "e2e: $FMTDUMP missing (run make)"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
unset FMTDUMP_PATH
# Each script starts with an empty parse cache of its own: its first load of a
# description fills it, the later ones read it.
export FMTDUMP_CACHE="$T/cache"

passed=0
failed=0
current=

# check NAME: starts a test; the checks until done_check report against it.
check() { current=$1; ok=1; }
fail() { echo "FAIL $current: $*"; ok=0; }
done_check() {
    if [ "$ok" = 1 ]; then echo "ok   $current"; passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# flatten: $T/out as one line in $T/flat, without the whitespace between JSON tokens.
flatten() {
    sed 's/^[[:space:]]*//' "$T/out" | tr -d '\n' | sed 's/": /":/g; s/, "/,"/g; s/, {/,{/g' >"$T/flat"
}

# run ARGS...: fmtdump with ARGS; sets $rc, stdout in $T/out (and $T/flat), stderr in $T/err.
run() {
    if command -v timeout >/dev/null 2>&1; then
        timeout 20 "$FMTDUMP" "$@" >"$T/out" 2>"$T/err"
    else
        "$FMTDUMP" "$@" >"$T/out" 2>"$T/err"
    fi
    rc=$?
    flatten
}

expect_rc() { [ "$rc" = "$1" ] || fail "exit $rc, expected $1 (stderr: $(head -c 300 "$T/err"))"; }
# has TEXT / lacks TEXT: the flattened stdout contains TEXT literally, or does not.
has() { grep -qF -- "$1" "$T/flat" || fail "stdout lacks $1"; }
lacks() { ! grep -qF -- "$1" "$T/flat" || fail "stdout has $1"; }
line() { grep -qxF -- "$1" "$T/out" || fail "stdout lacks the line '$1'"; }
err_has() { grep -qF -- "$1" "$T/err" || fail "stderr lacks $1: $(head -c 300 "$T/err")"; }

# finish NAME: the closing count line; fails the script when any test failed.
finish() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}
