#!/usr/bin/env python3
"""Check `-o json --spans` against the file itself, on real samples with nested substreams.

Usage: spans_check.py --fmtdump build/fmtdump [--ksf ../shared/ksf] [--corpus ../shared/corpus]
For every sample of the public formats (ksf/samples.json) and every corpus minidump, the
spans must hold three rules:
  - in the file: 0 <= IO + S <= IO + E <= file size for every non-empty span with an IO;
  - the same bytes: a byte array's hex value (a str's text is told apart by its length) is
    the file's bytes at [IO + S, IO + E) (a prefix of them when a terminator or padding was
    cut off);
  - nested: a struct's own `_span`, in absolute offsets, lies inside the span its parent
    gives the field (or the array element) that holds it.
Prints FAIL lines and a count of each check; exit 1 on a failure.
"""
import argparse
import json
import os
import re
import subprocess
import sys

HEX = re.compile(r"[0-9a-f]*\Z")


class Checker:
    def __init__(self, name, data):
        self.name = name
        self.data = data
        self.spans = self.leaves = self.nested = 0
        self.fails = []

    def fail(self, path, msg):
        if len(self.fails) < 5:
            self.fails.append("%s: %s: %s" % (self.name, path or "/", msg))

    def absolute(self, path, span):
        """[start, end) in the file, or None for processed bytes; checks the bounds."""
        if span is None or span.get("io") is None:
            return None
        self.spans += 1
        a, b = span["io"] + span["start"], span["io"] + span["end"]
        # An empty read may sit past the end (a zero-length field at a far `pos`, as Kaitai seeks).
        if a == b:
            return a, b
        if not 0 <= a <= b <= len(self.data):
            self.fail(path, "span %d..%d outside the %d-byte file" % (a, b, len(self.data)))
            return None
        return a, b

    def leaf(self, path, value, rng):
        if rng is None or not isinstance(value, str):
            return
        a, b = rng
        if len(value) != 2 * (b - a) and not (len(value) < 2 * (b - a) and len(value) % 2 == 0):
            return
        if not HEX.match(value):
            return
        want = self.data[a:b].hex()
        self.leaves += 1
        if len(value) == len(want) and value != want:
            self.fail(path, "bytes %s differ from the file's %s at %#x" % (value[:32], want[:32], a))
        elif len(value) < len(want) and len(value) > 8 and not want.startswith(value):
            # Only long values: a short hex-looking str (e.g. "ab") is text, not bytes.
            self.fail(path, "bytes %s are not the start of the file's %s at %#x" % (value[:32], want[:32], a))

    def inside(self, path, outer, node):
        """node's own _span must lie in outer (both absolute)."""
        if outer is None or not isinstance(node, dict):
            return
        own = self.absolute(path, node.get("_span"))
        self.nested += own is not None
        if own and not (outer[0] <= own[0] and own[1] <= outer[1]):
            self.fail(path, "struct at %d..%d outside its field's %d..%d" % (own + outer))

    def walk(self, path, node):
        if isinstance(node, list):
            for i, v in enumerate(node):
                self.walk("%s/%d" % (path, i), v)
            return
        if not isinstance(node, dict):
            return
        spans = node.get("_spans") or {}
        for key, value in node.items():
            if key.startswith("_"):
                continue
            sub = "%s/%s" % (path, key)
            span = spans.get(key)
            rng = self.absolute(sub, span)
            if isinstance(value, list):
                items = (span or {}).get("items") or []
                for i, v in enumerate(value):
                    if i < len(items):
                        irng = self.absolute("%s/%d" % (sub, i), items[i])
                        self.leaf("%s/%d" % (sub, i), v, irng)
                        self.inside("%s/%d" % (sub, i), irng, v)
            else:
                self.leaf(sub, value, rng)
                self.inside(sub, rng, value)
            self.walk(sub, value)


def run(fmtdump, ksy, sample, includes):
    cmd = [fmtdump, "-o", "json", "--spans"]
    if ksy:
        cmd += ["-f", ksy]
    for inc in includes:
        cmd += ["-I", inc]
    p = subprocess.run(cmd + [sample], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
    if p.returncode not in (0, 1):
        return None, "exit %d" % p.returncode
    try:
        return json.loads(p.stdout), None
    except ValueError as e:
        return None, "invalid JSON: %s" % e


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fmtdump", required=True)
    ap.add_argument("--ksf")
    ap.add_argument("--corpus")
    args = ap.parse_args()
    jobs = []
    if args.ksf and os.path.isdir(args.ksf):
        with open(os.path.join(args.ksf, "samples.json")) as f:
            for s in json.load(f):
                jobs.append((os.path.join(args.ksf, s["ksy"]), os.path.join(args.ksf, s["sample"]),
                             [os.path.join(args.ksf, "formats")]))
    if args.corpus and os.path.isdir(os.path.join(args.corpus, "dumps")):
        for top, _, names in sorted(os.walk(os.path.join(args.corpus, "dumps"))):
            jobs += [(None, os.path.join(top, n), []) for n in sorted(names)]
    files = spans = leaves = nested = failed = 0
    for ksy, sample, inc in jobs:
        tree, err = run(args.fmtdump, ksy, sample, inc)
        name = os.path.basename(sample)
        files += 1
        if err:
            print("FAIL %s: %s" % (name, err))
            failed += 1
            continue
        with open(sample, "rb") as f:
            c = Checker(name, f.read())
        c.inside("", c.absolute("", tree.get("_span")) and (0, len(c.data)), tree)
        c.walk("", tree)
        spans += c.spans
        leaves += c.leaves
        nested += c.nested
        if c.fails:
            failed += 1
            for line in c.fails:
                print("FAIL " + line)
    print("spans: %d files, %d spans in the file, %d byte arrays equal to the file's bytes, "
          "%d structs inside their field; %d files failed" % (files, spans, leaves, nested, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
