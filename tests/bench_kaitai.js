// bench_kaitai.js - make bench's JavaScript side: parses a minidump with the Kaitai-compiled parser and walks every value.
"use strict";
// usage: node tests/bench_kaitai.js PARSER_JS FILE
// Walks what `fmtdump -o json` prints: every seq field and every instance (lazy ones are
// read by their getters), arrays element by element; each byte array becomes a hex string,
// as in fmtdump's JSON. Prints "VALUES SECONDS HEX_CHARS": the scalars met, the time of
// read + parse + walk, and the hex produced.
const fs = require("fs");
const path = require("path");

const [parserPath, file] = process.argv.slice(2);
const KaitaiStream = require(require.resolve("kaitai-struct/KaitaiStream", { paths: [path.dirname(parserPath)] }));
const Root = require(path.resolve(parserPath)).WindowsMinidump;

// Instances are getters on the prototype; the cache (_m_*) and the plumbing (_io, _parent, ...) start with "_".
const getters = new Map();
function instanceNames(proto) {
    let names = getters.get(proto);
    if (!names) {
        names = Object.getOwnPropertyNames(proto).filter((k) =>
            k[0] !== "_" && typeof Object.getOwnPropertyDescriptor(proto, k).get === "function");
        getters.set(proto, names);
    }
    return names;
}

let values = 0, hexChars = 0;
function walk(v) {
    if (v === null || typeof v !== "object") {
        values++;
    } else if (v instanceof Uint8Array) {
        values++;
        hexChars += Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex").length;
    } else if (Array.isArray(v)) {
        for (const e of v)
            walk(e);
    } else {
        for (const k of Object.keys(v))
            if (k[0] !== "_")
                walk(v[k]);
        for (const k of instanceNames(Object.getPrototypeOf(v))) {
            let x;
            try {
                x = v[k];
            } catch (e) {
                x = null;    // fmtdump prints a failing node as its error: one value
            }
            walk(x);
        }
    }
}

const t0 = process.hrtime.bigint();
const data = fs.readFileSync(file);
walk(new Root(new KaitaiStream(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(values + " " + seconds.toFixed(6) + " " + hexChars);
