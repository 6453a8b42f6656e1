#!/usr/bin/env python3
"""Run tests/tool_flatcheck over the shared suites: every Kaitai conformance case and every
sample of the public formats, each written as JSON through objects and through write programs.

Usage: flatcheck_all.py --flatcheck PATH (--kst DIR | --ksf DIR) [--sweep]
Prints one FAIL line per differing input and "flatcheck kst|ksf: N inputs, N differ, N
elements by write programs"; exits 1 when any output differs.
"""
import argparse
import json
import os
import re
import subprocess
import sys


def run(tool, ksy, data, dirs, sweep):
    cmd = [tool] + (["--sweep"] if sweep else [])
    for d in dirs:
        cmd += ["-I", d]
    cmd += [ksy, data]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    m = re.search(r"(\d+) differ, (\d+) not written; (\d+) elements", p.stdout)
    if not m:
        # A description the loader rejects or an input it cannot open: nothing to compare.
        return 0, 0, p.stderr.strip()
    return int(m.group(1)), int(m.group(3)), p.stderr.strip()


def kst_inputs(root):
    suite = os.path.join(root, "suite")
    for name in sorted(os.listdir(os.path.join(root, "cases"))):
        with open(os.path.join(root, "cases", name)) as f:
            case = json.load(f)
        dirs = [os.path.join(suite, d) for d in case.get("import_dirs", [])] + [os.path.join(suite, "formats")]
        yield os.path.join(suite, case["ksy"]), os.path.join(suite, case["data"]), dirs


def ksf_inputs(root):
    with open(os.path.join(root, "expected", "INDEX.json")) as f:
        index = json.load(f)
    for pair in index["pairs"]:
        yield os.path.join(root, pair["ksy"]), os.path.join(root, pair["sample"]), [os.path.join(root, "formats")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flatcheck", required=True)
    ap.add_argument("--kst")
    ap.add_argument("--ksf")
    ap.add_argument("--sweep", action="store_true")
    args = ap.parse_args()
    suite, inputs = ("kst", kst_inputs(args.kst)) if args.kst else ("ksf", ksf_inputs(args.ksf))
    n = differ = programs = 0
    for ksy, data, dirs in inputs:
        d, p, err = run(args.flatcheck, ksy, data, dirs, args.sweep)
        n += 1
        programs += p
        if d:
            differ += 1
            print("FAIL %s %s: %s" % (os.path.basename(ksy), os.path.basename(data), err[:500]))
    print("flatcheck %s: %d inputs, %d differ, %d elements by write programs" % (suite, n, differ, programs))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
