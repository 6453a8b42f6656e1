#!/bin/sh
# ksc_check.sh - checks that the official Kaitai Struct compiler (npm) accepts a .ksy; skips when offline.
#
# usage: tests/ksc_check.sh [KSY]   (default: formats/windows_minidump.ksy)
# The compiler and js-yaml are installed once into $KSC_CACHE (default ${TMPDIR:-/tmp}/fmtdump-ksc)
# and reused; KSC_VERSION picks the compiler release (default 0.11.0, the one the description
# targets). Without npm, or when the install fails (offline), it prints `ksc: skipped (...)`
# and exits 0. A compile error exits 1.
set -u

here=$(cd "$(dirname "$0")" && pwd)
ksy=${1:-$here/../formats/windows_minidump.ksy}
cache=${KSC_CACHE:-${TMPDIR:-/tmp}/fmtdump-ksc}
version=${KSC_VERSION:-0.11.0}

if [ ! -r "$ksy" ]; then
    echo "ksc: $ksy: cannot read" >&2
    exit 1
fi
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "ksc: skipped (npm or node not found)"
    exit 0
fi

installed=$(node -e 'try { console.log(require(process.argv[1] + "/node_modules/kaitai-struct-compiler/package.json").version) } catch (e) {}' "$cache" 2>/dev/null)
if [ "$installed" != "$version" ] || [ ! -f "$cache/node_modules/js-yaml/package.json" ]; then
    mkdir -p "$cache" || { echo "ksc: skipped (cannot create $cache)"; exit 0; }
    limit=
    if command -v timeout >/dev/null 2>&1; then limit="timeout 300"; fi
    if ! $limit npm install --prefix "$cache" --no-audit --no-fund --no-save --loglevel=error \
            --fetch-retries=1 --fetch-timeout=60000 \
            "kaitai-struct-compiler@$version" "js-yaml@4" >"$cache/install.log" 2>&1; then
        echo "ksc: skipped (npm install of kaitai-struct-compiler@$version failed, offline?; see $cache/install.log)"
        exit 0
    fi
fi

# Compile to JavaScript through the package's API; imports resolve next to the .ksy.
node - "$cache" "$ksy" <<'EOF'
const fs = require("fs"), path = require("path");
const [cache, ksyPath] = process.argv.slice(2);
const compiler = require(path.join(cache, "node_modules", "kaitai-struct-compiler"));
const YAML = require(path.join(cache, "node_modules", "js-yaml"));
const name = path.basename(ksyPath);
const load = (file) => YAML.load(fs.readFileSync(file, "utf8"));
const importer = {
    importYaml: (imp, mode) => new Promise((resolve) =>
        resolve(load(path.resolve(path.dirname(ksyPath), imp + ".ksy")))),
};
const reject = (e) => {
    const msg = e && e.getMessage ? e.getMessage() : String(e && e.message ? e.message : e);
    console.log("ksc: " + name + " rejected: " + msg);
    process.exit(1);
};
let ksy;
try {
    ksy = load(ksyPath);
} catch (e) {
    reject(e);
}
console.log("ksc: kaitai-struct-compiler " + compiler.version + ", target javascript");
compiler.compile("javascript", ksy, importer, false).then((files) => {
    const out = Object.keys(files);
    if (out.length === 0 || out.some((f) => !files[f])) reject("no output produced");
    console.log("ksc: " + name + " accepted");
}, reject);
EOF
