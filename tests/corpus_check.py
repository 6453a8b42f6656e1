#!/usr/bin/env python3
"""corpus_check.py - runs fmtdump over the shared minidump corpus and checks it against the catalog,
an independent reader of our own, and Breakpad's dump of minidump2.dmp.

usage: corpus_check.py --fmtdump build/fmtdump --shared ../shared [--only SUBSTRING] [-v]

For every dump in SHARED/corpus/dumps, `fmtdump -o json FILE` runs under a 10 s
timeout and a 1 GiB address-space limit.  It must not crash.  Sound dumps must
exit 0 and agree with catalog.json (header, directory, system info, counts,
exception) and with MiniReader below (thread ids, module base/size/name, memory
ranges, exception, system info).  Dumps with an out-of-file stream must exit 1
with a located stderr line and still print a partial JSON tree.
"""

import argparse
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 10
MEM_LIMIT = 1 << 30

ST_THREAD_LIST, ST_MODULE_LIST, ST_MEMORY_LIST = 3, 4, 5
ST_EXCEPTION, ST_SYSTEM_INFO, ST_MEMORY64_LIST = 6, 7, 9


# ---- an independent minidump reader (struct-based, bounds-checked) ----------

class Short(Exception):
    """A read ran past the end of the file or of a stream."""


class MiniReader:
    """Reads the facts the checks need, straight from the bytes, without fmtdump."""

    def __init__(self, data):
        self.data = data
        self.errors = []
        self.header = self._header()
        self.streams = self._directory()
        self.sysinfo = self._guard(self._sysinfo)
        self.threads = self._guard(self._threads)
        self.modules = self._guard(self._modules)
        self.memory = self._guard(self._memory)
        self.memory64 = self._guard(self._memory64)
        self.exception = self._guard(self._exception)

    def _guard(self, read):
        try:
            return read()
        except Short as e:
            self.errors.append(str(e))
            return None

    def unpack(self, fmt, off, limit=None):
        end = len(self.data) if limit is None else limit
        size = struct.calcsize(fmt)
        if off < 0 or off + size > end:
            raise Short("%s at 0x%x past 0x%x" % (fmt, off, end))
        return struct.unpack_from(fmt, self.data, off)

    def _header(self):
        sig, version, count, rva, checksum, stamp, flags = self.unpack("<4sIIIIIQ", 0)
        return {"signature": sig, "version": version, "num_streams": count, "dir_rva": rva,
                "checksum": checksum, "timestamp": stamp, "flags": flags}

    def _directory(self):
        out = []
        for i in range(self.header["num_streams"]):
            at = self.header["dir_rva"] + 12 * i
            if at + 12 > len(self.data):
                self.errors.append("directory entry %d past EOF" % i)
                break
            stype, size, rva = self.unpack("<III", at)
            out.append({"type": stype, "size": size, "rva": rva})
        return out

    def stream(self, stype):
        """(rva, end) of the first stream of this type, None when absent."""
        for s in self.streams:
            if s["type"] == stype:
                end = s["rva"] + s["size"]
                if end > len(self.data):
                    raise Short("stream 0x%x [0x%x+0x%x] past EOF" % (stype, s["rva"], s["size"]))
                return s["rva"], end
        return None

    def string(self, rva):
        """MINIDUMP_STRING: u4 byte length + UTF-16LE."""
        (n,) = self.unpack("<I", rva)
        if rva + 4 + n > len(self.data):
            raise Short("string at 0x%x past EOF" % rva)
        return self.data[rva + 4:rva + 4 + n].decode("utf-16-le", "replace")

    def _list(self, stype, entry):
        """Entry offsets of a u4-counted list, honouring the 4-byte padding quirk."""
        where = self.stream(stype)
        if where is None:
            return None
        start, end = where
        (count,) = self.unpack("<I", start, end)
        first = start + 4
        if (end - start) - 4 - count * entry == 4:
            first += 4
        if first + count * entry > end:
            raise Short("list 0x%x: %d entries do not fit in %d bytes" % (stype, count, end - start))
        return [first + i * entry for i in range(count)], end

    def _threads(self):
        got = self._list(ST_THREAD_LIST, 48)
        if got is None:
            return None
        offs, end = got
        return [self.unpack("<I", at, end)[0] for at in offs]

    def _modules(self):
        got = self._list(ST_MODULE_LIST, 108)
        if got is None:
            return None
        offs, end = got
        out = []
        for at in offs:
            base, size, _, _, name_rva = self.unpack("<QIIII", at, end)
            out.append({"base": base, "size": size, "name": self.string(name_rva)})
        return out

    def _memory(self):
        got = self._list(ST_MEMORY_LIST, 16)
        if got is None:
            return None
        offs, end = got
        out = []
        for at in offs:
            start, size, rva = self.unpack("<QII", at, end)
            out.append({"start": start, "size": size, "rva": rva})
        return out

    def _memory64(self):
        where = self.stream(ST_MEMORY64_LIST)
        if where is None:
            return None
        start, end = where
        count, base = self.unpack("<QQ", start, end)
        if 16 + count * 16 > end - start:
            raise Short("memory64 list: %d entries do not fit" % count)
        out, ofs = [], base
        for i in range(count):
            addr, size = self.unpack("<QQ", start + 16 + 16 * i, end)
            out.append({"start": addr, "size": size, "rva": ofs})
            ofs += size
        return {"base": base, "ranges": out}

    def _exception(self):
        where = self.stream(ST_EXCEPTION)
        if where is None:
            return None
        start, end = where
        thread_id, _, code, _, _, addr = self.unpack("<IIIIQQ", start, end)
        return {"thread_id": thread_id, "code": code, "address": addr}

    def _sysinfo(self):
        where = self.stream(ST_SYSTEM_INFO)
        if where is None:
            return None
        start, end = where
        (arch, level, rev, ncpu, product, major, minor, build,
         platform, csd_rva) = self.unpack("<HHHBBIIIII", start, end)
        return {"arch_id": arch, "level": level, "revision": rev, "ncpu": ncpu,
                "product_type": product, "os_version": "%d.%d.%d" % (major, minor, build),
                "platform_id": platform, "csd": self.string(csd_rva) if csd_rva else ""}


# ---- running fmtdump -----------------------------------------------------------

class Run:
    """One fmtdump run: exit code (negative = signal), stdout, stderr, wall time, peak RSS."""

    def __init__(self, code, out, err, wall, rss_kib, timed_out):
        self.code, self.out, self.err = code, out, err
        self.wall, self.rss_kib, self.timed_out = wall, rss_kib, timed_out


# A sanitizer build reserves terabytes of address space and cannot run under
# RLIMIT_AS; main() then drops that cap and relies on the peak-RSS check alone.
cap_address_space = True


def _limits():
    if cap_address_space:
        resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT, MEM_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_fmtdump(argv):
    """Runs argv with the limits; wait4 gives this child's own peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                preexec_fn=_limits)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > TIMEOUT_S:
                timed_out = True
                os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), wall, usage.ru_maxrss, timed_out)


# ---- reading fmtdump's JSON tree -------------------------------------------------

def field(obj, *path):
    """obj[path...] or None when any step is missing."""
    for key in path:
        if isinstance(obj, dict):
            obj = obj.get(key)
        elif isinstance(obj, list) and isinstance(key, int) and 0 <= key < len(obj):
            obj = obj[key]
        else:
            return None
    return obj


class Checker:
    """Collects the mismatches of one dump."""

    def __init__(self, name):
        self.name = name
        self.problems = []

    def eq(self, what, got, want):
        if got != want:
            self.problems.append("%s: fmtdump %r, expected %r" % (what, got, want))

    def fail(self, msg):
        self.problems.append(msg)


def text(v):
    """A minidump_string as shown in JSON: an object with `str`, or the string itself."""
    if isinstance(v, dict):
        return v.get("str")
    return v


def check_tree(ck, tree, enums, cat, rd):
    """Compares the JSON tree (plus enum integers from -e) with catalog and reader."""
    h = cat["header"]
    ck.eq("header.version", field(tree, "version"), h["version_impl"])
    for key, want in (("num_streams", h["num_streams"]), ("ofs_streams", h["dir_rva"]),
                      ("checksum", h["checksum"]), ("timestamp", h["timestamp"]),
                      ("flags", h["flags"])):
        ck.eq("header." + key, field(tree, key), want)

    streams = field(tree, "streams") or []
    ck.eq("streams.size", len(streams), len(cat["streams"]))
    for i, want in enumerate(cat["streams"]):
        got = field(streams, i) or {}
        ck.eq("streams[%d].stream_type" % i, enums.get("streams[%d].stream_type" % i), want["type"])
        ck.eq("streams[%d].len_data" % i, got.get("len_data"), want["size"])
        ck.eq("streams[%d].ofs_data" % i, got.get("ofs_data"), want["rva"])

    def data_of(stype):
        for i, want in enumerate(cat["streams"]):
            if want["type"] == stype:
                return field(streams, i, "data")
        return None

    si = cat["sysinfo"]
    if si is not None:
        d = data_of(ST_SYSTEM_INFO) or {}
        ck.eq("system_info.cpu_arch", enums.get("cpu_arch"), si["arch_id"])
        ck.eq("system_info.os_platform", enums.get("os_platform"), si["platform_id"])
        ver = "%s.%s.%s" % (d.get("os_ver_major"), d.get("os_ver_minor"), d.get("os_build"))
        ck.eq("system_info.os_version", ver, si["os_version"])
        ck.eq("system_info.num_cpus", d.get("num_cpus"), si["ncpu"])
        ck.eq("system_info.service_pack", text(d.get("service_pack")) or "", si["csd"])
        if rd.sysinfo is not None:
            ck.eq("system_info.cpu_level (reader)", d.get("cpu_level"), rd.sysinfo["level"])
            ck.eq("system_info.cpu_revision (reader)", d.get("cpu_revision"), rd.sysinfo["revision"])

    if cat["threads"] is not None:
        d = data_of(ST_THREAD_LIST) or {}
        threads = d.get("threads") or []
        ck.eq("thread_list.num_threads", d.get("num_threads"), cat["threads"])
        ck.eq("thread_list.threads.size", len(threads), cat["threads"])
        if rd.threads is not None:
            ck.eq("thread ids (reader)", [t.get("thread_id") for t in threads], rd.threads)

    if cat["modules"] is not None:
        d = data_of(ST_MODULE_LIST) or {}
        mods = d.get("modules") or []
        ck.eq("module_list.num_modules", d.get("num_modules"), cat["modules"])
        ck.eq("module_list.modules.size", len(mods), cat["modules"])
        if rd.modules is not None:
            got = [{"base": m.get("base_of_image"), "size": m.get("size_of_image"),
                    "name": text(m.get("module_name"))} for m in mods]
            for i, (g, w) in enumerate(zip(got, rd.modules)):
                ck.eq("modules[%d] (reader)" % i, g, w)

    if cat["memory_ranges"] is not None:
        d = data_of(ST_MEMORY_LIST) or {}
        ranges = d.get("mem_ranges") or []
        ck.eq("memory_list.num_mem_ranges", d.get("num_mem_ranges"), cat["memory_ranges"])
        ck.eq("memory_list.mem_ranges.size", len(ranges), cat["memory_ranges"])
        if rd.memory is not None:
            got = [{"start": r.get("addr_memory_range"), "size": field(r, "memory", "len_data"),
                    "rva": field(r, "memory", "ofs_data")} for r in ranges]
            ck.eq("memory ranges (reader)", got, rd.memory)

    if cat["memory64_ranges"] is not None:
        d = data_of(ST_MEMORY64_LIST) or {}
        ranges = d.get("mem_ranges") or []
        ck.eq("memory_64_list.num_mem_ranges", d.get("num_mem_ranges"), cat["memory64_ranges"])
        ck.eq("memory_64_list.mem_ranges.size", len(ranges), cat["memory64_ranges"])
        ck.eq("memory_64_list bytes", sum(r.get("len_data") or 0 for r in ranges), cat["memory64_bytes"])
        if rd.memory64 is not None:
            ck.eq("memory_64_list.ofs_base (reader)", d.get("ofs_base"), rd.memory64["base"])
            got = [{"start": r.get("addr_memory_range"), "size": r.get("len_data"),
                    "rva": r.get("ofs_data")} for r in ranges]
            ck.eq("memory64 ranges (reader)", got, rd.memory64["ranges"])

    ex = cat["exception"]
    if ex is not None:
        d = data_of(ST_EXCEPTION) or {}
        got = {"thread_id": d.get("thread_id"), "code": field(d, "exception_rec", "code"),
               "address": field(d, "exception_rec", "addr")}
        ck.eq("exception", got, ex)
        if rd.exception is not None:
            ck.eq("exception (reader)", got, rd.exception)


def enum_queries(cat):
    """-e expressions giving the integers behind enum-typed fields."""
    q = {}
    for i in range(len(cat["streams"])):
        q["streams[%d].stream_type" % i] = "streams[%d].stream_type.to_i" % i
    for i, s in enumerate(cat["streams"]):
        if s["type"] == ST_SYSTEM_INFO and cat["sysinfo"] is not None:
            q["cpu_arch"] = "streams[%d].data.cpu_arch.to_i" % i
            q["os_platform"] = "streams[%d].data.os_platform.to_i" % i
            break
    return q


def eval_enums(fmtdump, path, cat):
    """Asks fmtdump for the enum integers; an expression that fails is left out."""
    queries = enum_queries(cat)
    argv = [fmtdump, "-o", "json"]
    for expr in queries.values():
        argv += ["-e", expr]
    run = run_fmtdump(argv + [path])
    try:
        results = json.loads(run.out).get("results", [])
    except ValueError:
        return {}
    out = {}
    for key, res in zip(queries, results):
        if isinstance(res, dict) and "value" in res:
            out[key] = res["value"]
    return out


def is_malformed(cat):
    """True when the catalog says some read must run out of the file."""
    return any("past EOF" in a for a in cat["anomalies"])


def check_dump(args, cat, shared):
    path = os.path.join(shared, "corpus", "dumps", cat["file"])
    ck = Checker(cat["file"])
    with open(path, "rb") as f:
        rd = MiniReader(f.read())
    run = run_fmtdump([args.fmtdump, "-o", "json", path])
    if run.timed_out:
        ck.fail("timed out after %d s" % TIMEOUT_S)
        return ck, run
    if run.code < 0 or run.code >= 128:
        ck.fail("crashed: exit %d, stderr %s" % (run.code, run.err.strip()[:300]))
        return ck, run
    if run.rss_kib * 1024 > MEM_LIMIT:
        ck.fail("peak RSS %d KiB over the 1 GiB limit" % run.rss_kib)
    try:
        tree = json.loads(run.out)
    except ValueError as e:
        ck.fail("stdout is not one JSON document (%s), exit %d, stderr %s"
                % (e, run.code, run.err.strip()[:200]))
        return ck, run

    if is_malformed(cat):
        ck.eq("exit code", run.code, 1)
        lines = [l for l in run.err.splitlines() if l.strip()]
        if not lines or "offset" not in run.err:
            ck.fail("no located error on stderr: %r" % run.err[:300])
        if '"_error"' not in run.out:
            ck.fail("the partial tree has no _error node")
        if not isinstance(tree, dict) or "num_streams" not in tree:
            ck.fail("no partial tree (header fields missing)")
        else:
            ck.eq("partial tree num_streams", tree.get("num_streams"), cat["header"]["num_streams"])
        return ck, run

    if run.code != 0:
        ck.fail("exit %d on a sound dump: %s" % (run.code, run.err.strip()[:300]))
    check_tree(ck, tree, eval_enums(args.fmtdump, path, cat), cat, rd)
    return ck, run


# ---- Breakpad's minidump_dump output for minidump2.dmp --------------------------

MINIDUMP2 = "google__breakpad/src__processor__testdata__minidump2.dmp"
MINIDUMP2_OUT = "google__breakpad/src__processor__testdata__minidump2.dump.out"


def parse_breakpad_dump(text):
    """Thread ids, module names and exception code from minidump_dump's text."""
    facts = {"thread_ids": [], "module_names": [], "exception_code": None}
    section = None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            section = line.strip()
            continue
        key, _, value = line.strip().partition("=")
        key, value = key.strip(), value.strip()
        if section == "MDRawThread" and key == "thread_id":
            facts["thread_ids"].append(int(value, 16))
        elif section == "MDRawModule" and key == "(code_file)":
            facts["module_names"].append(value.strip('"'))
        elif section == "MDException" and key == "exception_record.exception_code":
            facts["exception_code"] = int(value, 16)
    return facts


def check_minidump2(args, shared):
    ck = Checker("minidump2.dmp vs Breakpad minidump2.dump.out")
    with open(os.path.join(shared, "corpus", "groundtruth", MINIDUMP2_OUT)) as f:
        want = parse_breakpad_dump(f.read())
    if not want["thread_ids"] or not want["module_names"] or want["exception_code"] is None:
        ck.fail("could not read the ground truth")
        return ck
    run = run_fmtdump([args.fmtdump, "-o", "json", os.path.join(shared, "corpus", "dumps", MINIDUMP2)])
    try:
        tree = json.loads(run.out)
    except ValueError:
        ck.fail("fmtdump printed no JSON (exit %d)" % run.code)
        return ck
    got = {"thread_ids": [], "module_names": [], "exception_code": None}
    for s in field(tree, "streams") or []:
        d = s.get("data") if isinstance(s, dict) else None
        if not isinstance(d, dict):
            continue
        if "threads" in d:
            got["thread_ids"] = [t.get("thread_id") for t in d["threads"]]
        if "modules" in d:
            got["module_names"] = [text(m.get("module_name")) for m in d["modules"]]
        if "exception_rec" in d:
            got["exception_code"] = field(d, "exception_rec", "code")
    for key in want:
        ck.eq(key, got[key], want[key])
    return ck


# ---- main ------------------------------------------------------------------------------

def check_reader(cat, rd):
    """The reader itself must agree with the catalog, or its comparisons mean nothing."""
    problems = []

    def eq(what, got, want):
        if got != want:
            problems.append("reader %s: %r, catalog %r" % (what, got, want))

    eq("directory", [(s["type"], s["size"], s["rva"]) for s in rd.streams],
       [(s["type"], s["size"], s["rva"]) for s in cat["streams"]])
    if is_malformed(cat):
        return problems
    eq("threads", None if rd.threads is None else len(rd.threads), cat["threads"])
    eq("modules", None if rd.modules is None else len(rd.modules), cat["modules"])
    eq("memory_ranges", None if rd.memory is None else len(rd.memory), cat["memory_ranges"])
    eq("memory64_ranges", None if rd.memory64 is None else len(rd.memory64["ranges"]),
       cat["memory64_ranges"])
    eq("exception", rd.exception, cat["exception"])
    if cat["sysinfo"] is not None and rd.sysinfo is not None:
        for key in ("arch_id", "platform_id", "os_version", "csd", "ncpu"):
            eq("sysinfo." + key, rd.sysinfo[key], cat["sysinfo"][key])
    return problems


def report_largest(args, cat, run):
    """Wall time and peak RSS of `fmtdump -o json` on the largest dump.

    A child forked from Python starts with Python's resident pages, which
    wait4's ru_maxrss counts; GNU time forks from a small process instead."""
    path = os.path.join(args.shared, "corpus", "dumps", cat["file"])
    rss = "%d KiB (includes the forking Python's pages)" % run.rss_kib
    if os.access("/usr/bin/time", os.X_OK):
        timed = run_fmtdump(["/usr/bin/time", "-f", "%M", args.fmtdump, "-o", "json", path])
        last = timed.err.strip().splitlines()[-1:]
        if last and last[0].isdigit():
            rss = "%s KiB" % last[0]
    print("largest dump: %s (%d bytes): fmtdump -o json %.3f s wall, peak RSS %s"
          % (cat["file"], cat["bytes"], run.wall, rss))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fmtdump", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--only", default="", help="check only dumps whose name contains this")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.fmtdump = os.path.abspath(args.fmtdump)
    global cap_address_space
    if run_fmtdump([args.fmtdump, "--version"]).code != 0:
        cap_address_space = False
        if run_fmtdump([args.fmtdump, "--version"]).code != 0:
            print("corpus: %s --version fails" % args.fmtdump)
            return 1
        print("note: %s cannot run under a 1 GiB address-space limit (sanitizer build?); "
              "checking peak RSS only" % args.fmtdump)

    with open(os.path.join(args.shared, "corpus", "catalog.json")) as f:
        catalog = json.load(f)

    passed = failed = 0
    largest = None
    for cat in catalog:
        if args.only not in cat["file"]:
            continue
        path = os.path.join(args.shared, "corpus", "dumps", cat["file"])
        with open(path, "rb") as f:
            problems = check_reader(cat, MiniReader(f.read()))
        ck, run = check_dump(args, cat, args.shared)
        ck.problems = problems + ck.problems
        if largest is None or cat["bytes"] > largest[0]["bytes"]:
            largest = (cat, run)
        if ck.problems:
            failed += 1
            print("FAIL %s" % ck.name)
            for p in ck.problems[:12]:
                print("    " + p)
        else:
            passed += 1
            if args.verbose:
                print("ok   %s (exit %d, %.3f s)" % (ck.name, run.code, run.wall))

    if not args.only or args.only in MINIDUMP2:
        ck = check_minidump2(args, args.shared)
        if ck.problems:
            failed += 1
            print("FAIL %s" % ck.name)
            for p in ck.problems:
                print("    " + p)
        else:
            passed += 1

    if largest is not None:
        report_largest(args, *largest)
    print("corpus: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
