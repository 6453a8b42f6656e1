#!/bin/sh
# check_exports.sh - the shared library exports exactly the functions include/fmtdump.h declares.
# usage: sh tests/check_exports.sh [LIBFMTDUMP.SO]     (default build/libfmtdump.so; needs gcc's cpp and nm)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SO=${1:-$ROOT/build/libfmtdump.so}
[ -f "$SO" ] || { echo "check_exports: $SO missing (run make)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM

# Declarations with the comments removed (cpp -fpreprocessed strips them without
# expanding anything), joined so that a declaration over two lines still matches.
cpp -fpreprocessed -dD -P "$ROOT/include/fmtdump.h" | grep -v '^#' | tr '\n' ' ' |
    grep -oE '\bfd_[a-z0-9_]+ *\(' | sed 's/ *($//' | sort -u >"$T/declared"
nm -D --defined-only "$SO" | awk '$2 ~ /^[TDRBVWi]$/ { print $3 }' | sed 's/@.*//' | sort -u >"$T/exported"

[ -s "$T/declared" ] || { echo "check_exports: no declarations found in include/fmtdump.h"; exit 1; }
rc=0
extra=$(comm -13 "$T/declared" "$T/exported")
missing=$(comm -23 "$T/declared" "$T/exported")
[ -z "$extra" ] || { echo "check_exports: exported but not in fmtdump.h:" $extra; rc=1; }
[ -z "$missing" ] || { echo "check_exports: declared in fmtdump.h but not exported:" $missing; rc=1; }
[ "$rc" = 0 ] && echo "check_exports: $(wc -l <"$T/exported" | tr -d ' ') symbols, all declared in fmtdump.h"
exit $rc
