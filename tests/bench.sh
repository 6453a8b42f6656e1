#!/bin/sh
# bench.sh - prints fmtdump's speed and memory per case (make bench); reports figures and targets, asserts nothing.
# usage: sh tests/bench.sh BUILD_DIR   (make bench)
#
# Each case: the wall time median (and fastest) of BENCH_RUNS runs (default 5) with stdout
# to /dev/null, the peak RSS (GNU time -v on one more run; wait4's figure without it), the
# values in the output (scalars of its JSON, counted once outside the timing) and values/s.
# The side-by-side with Kaitai's compiled JavaScript parser installs kaitai-struct-compiler
# and kaitai-struct from npm once into BENCH_JS_CACHE (default BUILD_DIR/bench-js); without
# node, npm or the network that part prints why it is skipped. The compiler's cpp_stl output
# for the same description, built with g++ -O2 on our own runtime (tests/kaitai_cpp) into
# BENCH_CPP_CACHE (default BUILD_DIR/bench-cpp), prints the same dump as -o json prints it.
# Always exits 0.
set -u

BUILD=$(cd "${1:-build}" && pwd) || exit 0
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
RUNS=${BENCH_RUNS:-5}
JS_CACHE=${BENCH_JS_CACHE:-$BUILD/bench-js}
CPP_CACHE=${BENCH_CPP_CACHE:-$BUILD/bench-cpp}
KSC_VERSION=0.11.0
FMTDUMP=$BUILD/fmtdump
GEN=$BUILD/tests/gen_minidump
TOOLS=$BUILD/tests
KSY=$ROOT/formats/windows_minidump.ksy

work=$(mktemp -d) || exit 0
trap 'rm -rf "$work"' EXIT
trap 'exit 0' INT TERM

if /usr/bin/time -v -o "$work/time" true >/dev/null 2>&1; then rss_from="GNU time -v"; else rss_from="wait4 ru_maxrss"; fi

# ---- measuring and printing ----------------------------------------------------

# measure CMD...: sets med and fast (seconds), rss (KiB) and rc (last run's exit status);
# the last run's stdout goes to $measure_out.
measure_out=/dev/null
measure() {
    figures=$("$TOOLS/benchrun" "$RUNS" "$measure_out" "$@") || figures="0 0 0 127"
    read -r med fast rss rc <<EOF
$figures
EOF
    if [ "$rss_from" = "GNU time -v" ]; then
        /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>&1
        rss=$(sed -n 's/^.*Maximum resident set size (kbytes): //p' "$work/time")
    fi
}

# Scalars in a JSON document (or, with --lines N, JSON Lines); "?" when it does not check.
count_values() {
    "$TOOLS/jsoncheck" --count "$@" 2>/dev/null || echo "?"
}

calc() {
    awk "BEGIN { $1 }" </dev/null
}

# verdict ACTUAL OP LIMIT: "met" or "MISSED".
verdict() {
    calc "print ($1 $2 $3) ? \"met\" : \"MISSED\""
}

header() {
    printf '%-46s %10s %10s %10s %10s %10s  %s\n' case median fastest "peak RSS" values values/s target
}

# row LABEL VALUES TARGET: the last measure's figures; "-" where a figure does not apply.
row() {
    label=$1 values=$2 target=$3
    [ "$rc" = 0 ] || label="$label [exit $rc]"
    wall=$(calc "printf \"%.2f ms\", $med * 1000")
    fastest=$(calc "printf \"%.2f ms\", $fast * 1000")
    mib=$(if [ "$rss" = - ]; then echo -; else calc "printf \"%.1f MiB\", $rss / 1024"; fi)
    case $values in
    [0-9]*) per_s=$(calc "v = $values / $med; if (v >= 1e6) printf \"%.2f M/s\", v / 1e6; else printf \"%.0f /s\", v") ;;
    *) per_s=- ;;
    esac
    printf '%-46s %10s %10s %10s %10s %10s  %s\n' "$label" "$wall" "$fastest" "$mib" "$values" "$per_s" "$target"
}

# ---- inputs ------------------------------------------------------------------------

# MemoryList ranges of 64 bytes: 200,000 of them make the issue's ~16 MB reference dump.
RANGE_SIZE=64
for n in 20000 200000 2000000; do
    "$GEN" "$work/r$n.dmp" --variant many-ranges --count $n --range-size $RANGE_SIZE || exit 0
done
size=$(wc -c <"$work/r200000.dmp" | tr -d ' ')
# A full dump's Memory64List: 32,768 ranges of 64 KiB (2 GiB) whose data is a hole.
"$GEN" "$work/sparse.dmp" --variant mem64-sparse --count 32768 --range-size 65536 || exit 0
sparse_size=$(wc -c <"$work/sparse.dmp" | tr -d ' ')

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "fmtdump bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc 2>/dev/null || echo '?') cores${cpu:+ ($cpu)}, $("$FMTDUMP" --version)"
echo "wall: median and fastest of $RUNS runs, stdout to /dev/null; peak RSS: $rss_from; values: scalars in the output's JSON"
echo "fmtdump runs with the parse cache in ${FMTDUMP_CACHE:-its default place} (filled by the first run)"
echo "dumps: 20k/200k/2M MemoryList ranges of $RANGE_SIZE bytes (200k: $size bytes); Memory64List of 32,768 x 64 KiB, $sparse_size bytes, sparse"
echo
header

# 1. Loading the description: the public API, no dump; without a parse cache, then with one
# that the first of the loads fills (as the CLI's first run does).
rss=- rc=0
read -r med fast <<EOF
$("$TOOLS/specload" "$KSY" 200 || echo 0 0)
EOF
[ "$med" != 0 ] || rc=1
row "load windows_minidump.ksy, no cache" - "< 2 ms without the cache: $(verdict "$med" "<" 0.002)"
rc=0
read -r med fast <<EOF
$("$TOOLS/specload" "$KSY" 200 "$work/cache" || echo 0 0)
EOF
[ "$med" != 0 ] || rc=1
row "load windows_minidump.ksy, parse cache" - "< 2 ms: $(verdict "$med" "<" 0.002)"

# 2, 3. The 200k dump in each tree format; text and yaml hold the JSON's values.
"$FMTDUMP" -o json "$work/r200000.dmp" >"$work/out.json" 2>/dev/null
values200k=$(count_values "$work/out.json")
rm -f "$work/out.json"
measure "$FMTDUMP" -o json "$work/r200000.dmp"
med200k=$med
row "-o json, 200k ranges" "$values200k" \
    "<= 0.20 s: $(verdict "$med" "<=" 0.20); RSS <= 2x file: $(verdict "$rss * 1024" "<=" "2 * $size")"
for fmt in text yaml; do
    measure "$FMTDUMP" -o $fmt "$work/r200000.dmp"
    row "-o $fmt, 200k ranges" "$values200k" -
done

# 4. One query on the 2 GiB dump: nothing but the directory is read.
measure "$FMTDUMP" -e streams.size "$work/sparse.dmp"
row "-e streams.size, 2 GiB sparse Memory64 dump" 1 \
    "< 5 ms: $(verdict "$med" "<" 0.005); < 16 MiB: $(verdict "$rss" "<" 16384)"

# 5. Scaling: the cost of one value at 20k and 2M ranges against 200k, as it is and net of
# the fixed cost (start, description load, a tiny parse: -o json of the sample dump).
"$GEN" "$work/sample.dmp" || exit 0
"$FMTDUMP" -o json "$work/sample.dmp" >"$work/out.json" 2>/dev/null
measure "$FMTDUMP" -o json "$work/sample.dmp"
fixed=$med
row "-o json, sample dump (the fixed cost)" "$(count_values "$work/out.json")" -
scaling="" worst=0
for n in 20000 2000000; do
    "$FMTDUMP" -o json "$work/r$n.dmp" >"$work/out.json" 2>/dev/null
    v=$(count_values "$work/out.json")
    rm -f "$work/out.json"
    measure "$FMTDUMP" -o json "$work/r$n.dmp"
    raw=$(calc "printf \"%+.0f\", ($med / $v) / ($med200k / $values200k) * 100 - 100")
    net=$(calc "printf \"%+.0f\", (($med - $fixed) / $v) / (($med200k - $fixed) / $values200k) * 100 - 100")
    worst=$(calc "d = $net < 0 ? -($net) : $net; print (d > $worst) ? d : $worst")
    name=$(calc "if ($n >= 1e6) printf \"%gM\", $n / 1e6; else printf \"%gk\", $n / 1000")
    row "-o json, $name ranges" "$v" "per value vs 200k: $raw%, net $net%"
    scaling="$scaling, $name $(calc "printf \"%.1f (net %.1f)\", $med / $v * 1e9, ($med - $fixed) / $v * 1e9") ns"
done

# 6. Batch: 1,000 copies of the sample dump in one process, on 1 and 2 threads.
COPIES=1000
mkdir "$work/batch"
set --
i=1
while [ $i -le $COPIES ]; do set -- "$@" "$work/batch/$i.dmp"; i=$((i + 1)); done
tee "$@" <"$work/sample.dmp" >/dev/null
"$FMTDUMP" -o jsonl "$@" >"$work/out.jsonl" 2>/dev/null
values_batch=$(count_values --lines $COPIES "$work/out.jsonl")
for j in 1 2; do
    measure "$FMTDUMP" -o jsonl -j $j "$@"
    row "-o jsonl -j $j, $COPIES files" "$values_batch" -
done

if [ -d "$SHARED/corpus/dumps" ]; then
    largest=$(find "$SHARED/corpus/dumps" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
    "$FMTDUMP" -o json "$largest" >"$work/out.json" 2>/dev/null
    v=$(count_values "$work/out.json")
    measure "$FMTDUMP" -o json "$largest"
    row "-o json, largest corpus dump ($(wc -c <"$largest" | tr -d ' ') B)" "$v" -
else
    echo "corpus: $SHARED/corpus absent, skipped"
fi

echo
per_value=$(calc "printf \"%.1f (net %.1f) ns\", $med200k / $values200k * 1e9, ($med200k - $fixed) / $values200k * 1e9")
echo "scaling, -o json per value: 200k $per_value$scaling"
echo "         net of the fixed cost ($(calc "printf \"%.2f ms\", $fixed * 1000")), within 20% of linear: $(verdict "$worst" "<=" 20)"

# ---- 7. Kaitai Struct's own parsers, side by side --------------------------------

echo
gen=$JS_CACHE/gen

# Installs the compiler and the JavaScript runtime from npm once, and compiles the description
# to javascript and cpp_stl (into gen/cpp) again only when it changed; prints why it cannot.
kaitai_prepare() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "Kaitai: skipped (node or npm not found)"
        return 1
    fi
    mods=$JS_CACHE/node_modules
    have=$(node -e 'try { console.log(require(process.argv[1] + "/kaitai-struct-compiler/package.json").version) } catch (e) {}' "$mods" 2>/dev/null)
    if [ "$have" != "$KSC_VERSION" ] || [ ! -f "$mods/kaitai-struct/KaitaiStream.js" ] || [ ! -f "$mods/js-yaml/package.json" ]; then
        mkdir -p "$JS_CACHE" || { echo "Kaitai: skipped (cannot create $JS_CACHE)"; return 1; }
        limit=
        if command -v timeout >/dev/null 2>&1; then limit="timeout 300"; fi
        if ! $limit npm install --prefix "$JS_CACHE" --no-audit --no-fund --no-save --loglevel=error \
                --fetch-retries=1 --fetch-timeout=60000 \
                "kaitai-struct-compiler@$KSC_VERSION" "kaitai-struct@$KSC_VERSION" "js-yaml@4" \
                >"$JS_CACHE/install.log" 2>&1; then
            echo "Kaitai: skipped (npm install failed, offline?; see $JS_CACHE/install.log)"
            return 1
        fi
    fi

    if ! cmp -s "$KSY" "$gen/windows_minidump.ksy" || [ ! -f "$gen/WindowsMinidump.js" ] ||
        [ ! -f "$gen/cpp/windows_minidump.h" ] || [ ! -f "$gen/cpp/windows_minidump.cpp" ]; then
        rm -rf "$gen" && mkdir -p "$gen/cpp"
        if ! node - "$mods" "$KSY" "$gen" >"$work/ksc.log" 2>&1 <<'EOF'
const fs = require("fs"), path = require("path");
const [mods, ksyPath, out] = process.argv.slice(2);
const compiler = require(path.join(mods, "kaitai-struct-compiler"));
const YAML = require(path.join(mods, "js-yaml"));
const load = (file) => YAML.load(fs.readFileSync(file, "utf8"));
const importer = { importYaml: (imp) => Promise.resolve(load(path.resolve(path.dirname(ksyPath), imp + ".ksy"))) };
const fail = (lang) => (e) => {
    console.log(lang + ": " + (e && e.getMessage ? e.getMessage() : String(e && e.message ? e.message : e)));
    process.exit(1);
};
const write = (dir) => (files) => {
    for (const f of Object.keys(files))
        fs.writeFileSync(path.join(dir, f), files[f]);
};
let ksy;
try {
    ksy = load(ksyPath);
} catch (e) {
    fail("YAML")(e);
}
compiler.compile("javascript", ksy, importer, false).then(write(out), fail("javascript"))
    .then(() => compiler.compile("cpp_stl", load(ksyPath), importer, false))
    .then(write(path.join(out, "cpp")), fail("cpp_stl"));
EOF
        then
            echo "Kaitai: kaitai-struct-compiler $KSC_VERSION rejects windows_minidump.ksy: $(head -c 2000 "$work/ksc.log")"
            rm -rf "$gen"
            return 1
        fi
        cp "$KSY" "$gen/windows_minidump.ksy"
    fi
    echo "Kaitai: kaitai-struct-compiler $KSC_VERSION accepts windows_minidump.ksy (javascript, cpp_stl); node $(node --version)"
}

js_skip() {
    echo "Kaitai JS: skipped ($1)"
}

js_bench() {
    # What the script walks is what fmtdump -o json prints: fields, instances, hex strings.
    node "$ROOT/tests/bench_kaitai.js" "$gen/WindowsMinidump.js" "$work/r200000.dmp" >"$work/js.out" 2>"$work/js.err"
    js_values='' js_s=''
    read -r js_values js_s _ <"$work/js.out"
    if [ -z "$js_s" ]; then
        js_skip "the parser failed on the 200k dump: $(head -c 300 "$work/js.err")"
        return
    fi
    measure_out=$work/js.out
    measure node "$ROOT/tests/bench_kaitai.js" "$gen/WindowsMinidump.js" "$work/r200000.dmp"
    measure_out=/dev/null
    read -r _ js_s _ <"$work/js.out"
    header
    row "Kaitai JS: parse + walk, 200k ranges" "$js_values" -
    echo "walked: every seq field and instance (lazy ones through their getters), byte arrays made hex strings;"
    echo "        not printed (fmtdump also writes the JSON text); in-script read + parse + walk (last run): $(calc "printf \"%.1f ms\", $js_s * 1000")"
    ratio=$(calc "printf \"%.1f\", $med / $med200k")
    echo "fmtdump -o json vs Kaitai JS (process wall): ${ratio}x faster (target >= 10x: $(verdict "$ratio" ">=" 10));" \
        "vs the in-script time alone: $(calc "printf \"%.1f\", $js_s / $med200k")x"
}

cpp_skip() {
    echo "Kaitai C++: skipped ($1)"
}

# Kaitai's C++ runtime is in no Debian or npm package: tests/kaitai_cpp/kaitai is our own,
# written from the API the generated code calls, reading through std::istream as Kaitai's
# does. The walker, generated by tests/kaitai_cpp_walker.py, prints the tree as -o json does.
# It is built with g++ -O2 into CPP_CACHE again only when one of its sources changed.
cpp_bench() {
    if ! command -v g++ >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
        cpp_skip "g++ or python3 not found"
        return
    fi
    kc=$ROOT/tests/kaitai_cpp
    mkdir -p "$CPP_CACHE" || { cpp_skip "cannot create $CPP_CACHE"; return; }
    stamp="$(cat "$gen/cpp/windows_minidump.h" "$gen/cpp/windows_minidump.cpp" "$KSY" "$ROOT/tests/kaitai_cpp_walker.py" \
        "$kc/json_writer.h" "$kc/kaitai/"* | cksum) $(g++ --version | head -n 1)"
    if [ ! -x "$CPP_CACHE/walker" ] || [ "$(cat "$CPP_CACHE/stamp" 2>/dev/null)" != "$stamp" ]; then
        rm -f "$CPP_CACHE/walker" "$CPP_CACHE/stamp"
        if ! python3 "$ROOT/tests/kaitai_cpp_walker.py" "$KSY" "$gen/cpp/windows_minidump.h" "$CPP_CACHE/walker.cpp" \
                >"$CPP_CACHE/build.log" 2>&1 ||
            ! g++ -std=c++11 -O2 -I"$kc" -I"$gen/cpp" -o "$CPP_CACHE/walker" "$CPP_CACHE/walker.cpp" \
                "$gen/cpp/windows_minidump.cpp" "$kc/kaitai/kaitaistream.cpp" >>"$CPP_CACHE/build.log" 2>&1; then
            cpp_skip "the walker does not build: $(head -c 300 "$CPP_CACHE/build.log"); see $CPP_CACHE/build.log"
            rm -f "$CPP_CACHE/walker"
            return
        fi
        echo "$stamp" >"$CPP_CACHE/stamp"
    fi

    "$FMTDUMP" -o json "$work/r200000.dmp" >"$work/out.json" 2>/dev/null
    for mode in file memory; do
        opt=
        [ $mode = file ] || opt=--memory
        if ! "$CPP_CACHE/walker" $opt "$work/r200000.dmp" >"$work/cpp.json" 2>"$work/cpp.err"; then
            cpp_skip "the parser failed on the 200k dump: $(head -c 300 "$work/cpp.err")"
            return
        fi
        if cmp -s "$work/cpp.json" "$work/out.json"; then
            same="byte-identical to fmtdump's"
        else
            same="not fmtdump's ($(cmp "$work/cpp.json" "$work/out.json" 2>&1 | head -n 1))"
        fi
        cpp_values=$(count_values "$work/cpp.json")
        echo "Kaitai C++ ($mode): values printed $cpp_values, by fmtdump -o json $values200k; its JSON is $same"
    done
    rm -f "$work/cpp.json" "$work/out.json"
    header
    measure "$CPP_CACHE/walker" "$work/r200000.dmp"
    row "Kaitai C++ -O2, std::ifstream, 200k ranges" "$cpp_values" -
    med_file=$med
    measure "$CPP_CACHE/walker" --memory "$work/r200000.dmp"
    row "Kaitai C++ -O2, read into memory, 200k ranges" "$cpp_values" -
    echo "runtime: ours (tests/kaitai_cpp, from the API the generated code calls), reads through std::istream:"
    echo "         an std::ifstream on the file, or (memory) an std::istringstream on the file read into a string;"
    echo "         parse + walk + print as -o json prints, $(g++ --version | head -n 1)"
    echo "fmtdump -o json vs Kaitai C++ -O2 (process wall): $(faster "$med200k" "$med_file") (std::ifstream)," \
        "$(faster "$med200k" "$med") (from memory)"
}

# faster OURS THEIRS: "N.Nx faster" or "N.Nx slower" for OURS seconds against THEIRS.
faster() {
    calc "r = $2 / $1; if (r >= 1) printf \"%.1fx faster\", r; else printf \"%.1fx slower\", 1 / r"
}

if kaitai_prepare; then
    js_bench
    cpp_bench
else
    cpp_skip "it needs kaitai-struct-compiler from npm"
fi
exit 0
