#!/usr/bin/env python3
"""Load every public .ksy description with fmtdump and report the ones that fail to load.

Usage: ksf_load_all.py --fmtdump build/fmtdump --formats ../shared/ksf/formats
Each description is run over a one-byte input: a data error (exit 1) is expected and
fine; a description error (exit 2) or a crash is a failure.  Prints FAIL lines and
"ksf-load: N passed, M failed".
"""
import argparse
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fmtdump", required=True)
    ap.add_argument("--formats", required=True)
    args = ap.parse_args()
    passed = failed = 0
    with tempfile.NamedTemporaryFile(suffix=".bin") as data:
        data.write(b"\0")
        data.flush()
        for top, _, files in sorted(os.walk(args.formats)):
            for name in sorted(files):
                if not name.endswith(".ksy"):
                    continue
                path = os.path.join(top, name)
                p = subprocess.run([args.fmtdump, "-f", path, "-I", args.formats, data.name],
                                   capture_output=True, timeout=30)
                if p.returncode in (0, 1):
                    passed += 1
                else:
                    failed += 1
                    print("FAIL %s: exit %d: %s" % (os.path.relpath(path, args.formats), p.returncode,
                                                    p.stderr.decode(errors="replace").strip()[:200]))
    print("ksf-load: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
