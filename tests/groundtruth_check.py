#!/usr/bin/env python3
"""groundtruth_check.py - compares fmtdump's minidump tree, value by value, with peer tools' outputs.

usage: groundtruth_check.py --fmtdump build/fmtdump --shared ../shared [-v]

The oracles are the files other parsers ship in SHARED/corpus/groundtruth/:
  * Breakpad's minidump_dump output and rust-minidump's `--dump` snapshot for minidump2.dmp:
    every header, directory, thread (with its context registers and stack bytes), module
    (version, CodeView GUID/age/PDB name, identifiers), memory range (with its bytes),
    exception (with its context), system info, misc info and Breakpad info value they list;
  * rust-minidump's JSON reports for minidump2.dmp, linux-mini.dmp and
    pipeline-inlines-macos-segv.dmp: module list (base, end, names, debug/code ids,
    version), threads (ids, names, frame-0 pc and module), the crashing thread's
    registers, the crash address and reason, system info, pid and the Linux text streams.
fmtdump's own values are only ever the "got" side.  A ground-truth field this script does
not know how to check is itself a failure, so "every value" stays true as the files change.
Prints one line per ground-truth file, a FAIL line per mismatch, and
`groundtruth: N passed, M failed` (values); exits 1 on any mismatch.
"""

import argparse
import datetime
import json
import os
import re
import struct
import subprocess
import sys

TIMEOUT_S = 120

MINIDUMP2 = "google__breakpad/src__processor__testdata__minidump2.dmp"
LINUX_MINI = "rust-minidump__rust-minidump/testdata__linux-mini.dmp"
MACOS_SEGV = "rust-minidump__rust-minidump/testdata__pipeline-inlines-macos-segv.dmp"
SNAP = ("rust-minidump__rust-minidump/"
        "minidump-stackwalk__tests__snapshots__test_minidump_stackwalk__")

# (dump, ground-truth file, dialect) for the structural text dumps.
TEXT_DUMPS = [
    (MINIDUMP2, "google__breakpad/src__processor__testdata__minidump2.dump.out", "breakpad"),
    (MINIDUMP2, SNAP + "dump.snap", "rust"),
]
# (dump, rust-minidump JSON report snapshot).
JSON_REPORTS = [
    (MINIDUMP2, SNAP + "json-pretty.snap"),
    (LINUX_MINI, SNAP + "linux_json_pretty.snap"),
    (MACOS_SEGV, SNAP + "macos_inlines_json_pretty.snap"),
]

ST_THREAD_LIST, ST_MODULE_LIST, ST_MEMORY_LIST, ST_EXCEPTION = 3, 4, 5, 6
ST_SYSTEM_INFO, ST_UNLOADED_MODULES, ST_MISC_INFO, ST_THREAD_NAMES = 7, 14, 15, 24
ST_BREAKPAD_INFO, ST_LINUX_STATUS, ST_LINUX_LSB, ST_LINUX_MAPS = 0x47670001, 0x47670004, 0x47670005, 0x47670009
ST_MOZ_SOFT_ERRORS = 0x4d7a0004

CV_RSDS, CV_BPEL = 0x53445352, 0x4270454C
VS_SIGNATURE = 0xFEEF04BD
PLATFORM_WIN32_NT, PLATFORM_MACOS, PLATFORM_IOS, PLATFORM_LINUX = 2, 0x8101, 0x8102, 0x8201

# rust-minidump's names for the SystemInfo ids (only those it prints as plain words).
RUST_CPU_NAMES = {0: "x86", 9: "amd64", 5: "arm", 12: "arm64", 0x8003: "arm64"}
RUST_OS_NAMES = {2: "Windows NT", 0x8101: "Mac OS X", 0x8102: "iOS", 0x8201: "Linux", 0x8203: "Android"}
LINUX_SIGNALS = {4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 11: "SIGSEGV"}
WIN_ACCESS = {0: "READ", 1: "WRITE", 8: "EXEC"}
MAC_BAD_ACCESS = {1: "KERN_INVALID_ADDRESS", 2: "KERN_PROTECTION_FAILURE"}


def short_name(rel):
    """`minidump2.dmp`, `rust-minidump dump.snap`: file names without the corpus prefixes."""
    repo = rel.split("/", 1)[0].split("__")[-1]
    base = rel.rsplit("/", 1)[-1].rsplit("__", 1)[-1]
    return base if rel.endswith(".dmp") else "%s %s" % (repo, base)


# ---- comparison bookkeeping ---------------------------------------------------------

def show(v):
    if isinstance(v, bool) or v is None:
        return repr(v)
    if isinstance(v, int):
        return "%d (0x%x)" % (v, v) if v >= 10 or v < 0 else str(v)
    if isinstance(v, (bytes, bytearray)):
        h = bytes(v).hex()
        return "0x" + (h if len(h) <= 64 else h[:64] + "... (%d bytes)" % len(v))
    r = repr(v)
    return r if len(r) <= 120 else r[:120] + "..."



class Checker:
    """Counts compared values and keeps the mismatches of one ground-truth file."""

    def __init__(self, name, verbose):
        self.name = name
        self.verbose = verbose
        self.count = 0
        self.fails = []

    def eq(self, path, want, got):
        self.count += 1
        if isinstance(want, (bytes, bytearray)) and isinstance(got, str):
            try:
                got = bytes.fromhex(got)
            except ValueError:
                pass
        ok = type(want) is type(got) and want == got
        if isinstance(want, (bytes, bytearray)) and isinstance(got, (bytes, bytearray)):
            ok = bytes(want) == bytes(got)
        if not ok and isinstance(want, (bytes, bytearray)) and isinstance(got, (bytes, bytearray)):
            at = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
            self.fails.append("FAIL %s %s: expected %d bytes, got %d; first difference at byte %d "
                              "(expected %s, got %s)" % (self.name, path, len(want), len(got), at,
                                                         want[at:at + 8].hex() or "end", got[at:at + 8].hex() or "end"))
        elif not ok:
            self.fails.append("FAIL %s %s: expected %s, got %s" % (self.name, path, show(want), show(got)))
        elif self.verbose:
            print("  ok %s = %s" % (path, show(got)))

    def fail(self, path, message):
        self.count += 1
        self.fails.append("FAIL %s %s: %s" % (self.name, path, message))


def get(node, *path):
    """Follows dict keys / list indexes; None when any step is missing."""
    for p in path:
        if isinstance(node, dict) and isinstance(p, str):
            node = node.get(p)
        elif isinstance(node, list) and isinstance(p, int) and 0 <= p < len(node):
            node = node[p]
        else:
            return None
    return node


def utc(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def le_u32(hexbytes):
    return int.from_bytes(bytes.fromhex(hexbytes), "little") if isinstance(hexbytes, str) else None


def guid_text(g):
    """GUID as 8-4-4-4-12 lowercase text, from fmtdump's guid node."""
    if not isinstance(g, dict) or not all(isinstance(g.get(k), int) for k in ("data1", "data2", "data3")):
        return None
    d4 = g.get("data4") or ""
    return "%08x-%04x-%04x-%s-%s" % (g["data1"], g["data2"], g["data3"], d4[:4], d4[4:])


def version_text(vi):
    """VS_FIXEDFILEINFO file version as a.b.c.d, or None without a valid signature."""
    if get(vi, "signature") != VS_SIGNATURE:
        return None
    hi, lo = vi["file_version_hi"], vi["file_version_lo"]
    return "%d.%d.%d.%d" % (hi >> 16, hi & 0xFFFF, lo >> 16, lo & 0xFFFF)


def basename(path):
    return re.split(r"[/\\]", path)[-1] if isinstance(path, str) else None


# ---- fmtdump ----------------------------------------------------------------------------

def run_fmtdump(fmtdump, args, dump):
    try:
        p = subprocess.run([fmtdump, "-o", "json"] + args + [dump], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, None, "timed out after %d s" % TIMEOUT_S
    try:
        doc = json.loads(p.stdout.decode("utf-8"))
    except ValueError:
        doc = None
    return p.returncode, doc, p.stderr.decode("utf-8", "replace").strip()


class Dump:
    """fmtdump's tree of one dump, plus the integers behind the enums the oracles print as numbers."""

    def __init__(self, fmtdump, path):
        self.fmtdump, self.path = fmtdump, path
        self.code, self.tree, self.err = run_fmtdump(fmtdump, [], path)
        self.streams = get(self.tree, "streams") or []
        self.types = self.evaluate(["streams[%d].stream_type.to_i" % i for i in range(len(self.streams))])
        self.sysinfo_enums = {}
        exprs = []
        k = self.index(ST_SYSTEM_INFO)
        if k is not None:
            exprs = ["streams[%d].data.%s.to_i" % (k, f) for f in ("cpu_arch", "os_platform", "os_type")]
        m = self.index(ST_MODULE_LIST)
        mods = get(self.stream(ST_MODULE_LIST), "modules") or []
        exprs += ["streams[%d].data.modules[%d].cv_info.cv_signature.to_i" % (m, j) for j in range(len(mods))]
        vals = self.evaluate(exprs)
        if k is not None:
            self.sysinfo_enums = dict(zip(("cpu_arch", "os_platform", "os_type"), vals[:3]))
            vals = vals[3:]
        self.cv_sigs = vals

    def evaluate(self, exprs):
        """Values of Kaitai expressions (None for each one that fails)."""
        if not exprs:
            return []
        argv = []
        for e in exprs:
            argv += ["-e", e]
        _, doc, _ = run_fmtdump(self.fmtdump, argv, self.path)
        results = get(doc, "results") or []
        out = [get(r, "value") for r in results]
        return out + [None] * (len(exprs) - len(out))

    def index(self, stype):
        for i, t in enumerate(self.types):
            if t == stype:
                return i
        return None

    def stream(self, stype):
        i = self.index(stype)
        return None if i is None else get(self.streams, i, "data")

    def threads(self):
        return get(self.stream(ST_THREAD_LIST), "threads") or []

    def modules(self):
        return get(self.stream(ST_MODULE_LIST), "modules") or []

    def text(self, stype):
        return get(self.stream(stype), "text")


def check_run(ck, d):
    """fmtdump must parse these sound dumps cleanly; counts as one value."""
    if d.tree is None:
        ck.fail("fmtdump", "no JSON tree (exit %s): %s" % (d.code, (d.err or "")[:200]))
        return False
    ck.eq("fmtdump exit status", 0, d.code)
    return True


# ---- minidump_dump-style text (Breakpad and rust-minidump --dump) ---------------------

class Section:
    def __init__(self, name, label):
        self.name = name
        self.label = label          # (word, index) from a preceding `thread[0]` line
        self.fields = {}
        self.order = []
        self.lines = []             # indented lines that are not `key = value`
        self.blob = None            # Stack / Memory bytes

    def take(self, key):
        """The raw value of key, removed so that leftovers can be reported."""
        if key in self.fields:
            self.order.remove(key)
            return self.fields.pop(key)
        return None


FIELD_RE = re.compile(r"^  (\S.*?)\s+= (.*)$")
LABEL_RE = re.compile(r"^(\w+)\[(\d+)\]$")
BLOB_RE = re.compile(r"^0x([0-9a-fA-F]*)$")
WORD_RE = re.compile(r"^\s+0x([0-9a-fA-F]+): 0x([0-9a-fA-F]+)\s*$")
HEXDUMP_RE = re.compile(r"^\s+([0-9a-fA-F]{8}): ((?:[0-9a-fA-F]{2} ){1,16})")
STREAMS_RE = re.compile(r"^\s+stream type (0x[0-9a-fA-F]+)(?: \([^)]*\))? at index (\d+)\s*$")
NUM_RE = re.compile(r"^(0x[0-9a-fA-F]+|-?\d+)(?:\s+(.*))?$")


def strip_front_matter(text):
    """insta snapshots start with a `---` YAML header."""
    if text.startswith("---\n"):
        parts = text.split("---\n", 2)
        if len(parts) == 3:
            return parts[2]
    return text


def parse_text_dump(text):
    sections, cur, label = [], None, None
    for lineno, line in enumerate(strip_front_matter(text).splitlines(), 1):
        if not line.strip():
            continue
        if not line[0].isspace():
            m = BLOB_RE.match(line)
            if m and cur is not None and cur.name in ("Stack", "Memory"):
                cur.blob = bytearray(bytes.fromhex(m.group(1)))
                continue
            m = LABEL_RE.match(line)
            if m:
                label = (m.group(1), int(m.group(2)))
                continue
            cur = Section(line.strip(), label)
            label = None
            sections.append(cur)
            continue
        if cur is None:
            raise ValueError("line %d: indented text before any section" % lineno)
        if cur.name == "Stack" and WORD_RE.match(line):
            m = WORD_RE.match(line)
            cur.blob = cur.blob if cur.blob is not None else bytearray()
            if int(m.group(1), 16) != len(cur.blob):
                raise ValueError("line %d: stack word at an unexpected offset" % lineno)
            cur.blob += struct.pack("<I", int(m.group(2), 16))
            continue
        if cur.name == "Memory" and HEXDUMP_RE.match(line):
            m = HEXDUMP_RE.match(line)
            cur.blob = cur.blob if cur.blob is not None else bytearray()
            if int(m.group(1), 16) != len(cur.blob):
                raise ValueError("line %d: hex dump line at an unexpected offset" % lineno)
            cur.blob += bytes.fromhex(m.group(2).replace(" ", ""))
            continue
        m = FIELD_RE.match(line)
        if m:
            key = re.sub(r"\[\s+(\d+)\]", r"[\1]", m.group(1).strip())
            cur.fields[key] = m.group(2).strip()
            cur.order.append(key)
        else:
            cur.lines.append(line)
    return sections


def gt_int(raw):
    m = NUM_RE.match(raw or "")
    if not m:
        return None
    return int(m.group(1), 16) if m.group(1).lower().startswith("0x") else int(m.group(1))


def gt_str(raw):
    if raw is None or raw == "(null)":
        return None
    return raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw


class TextCheck:
    """Checks one minidump_dump-style file against fmtdump's tree."""

    def __init__(self, ck, d, dialect):
        self.ck, self.d, self.dialect = ck, d, dialect

    def num(self, path, sec, key, got):
        raw = sec.take(key)
        if raw is None:
            return
        want = gt_int(raw)
        if want is None:
            self.ck.fail(path + "." + key, "ground truth %r is not a number" % raw)
            return
        self.ck.eq(path + "." + key, want, got)
        rest = NUM_RE.match(raw).group(2)
        if rest and re.match(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\dZ?$", rest):
            self.ck.eq(path + "." + key + " (UTC)", rest.replace("T", " ").rstrip("Z"),
                       utc(got) if isinstance(got, int) else got)

    def string(self, path, sec, key, got):
        raw = sec.take(key)
        if raw is not None:
            self.ck.eq(path + "." + key, gt_str(raw), got)

    def blob(self, path, sec, key, got):
        raw = sec.take(key)
        if raw is None:
            return
        m = BLOB_RE.match(raw)
        if not m:
            self.ck.fail(path + "." + key, "ground truth %r is not a byte string" % raw[:40])
            return
        want = bytes.fromhex(m.group(1))
        size = re.search(r"\[(\d+)\]$", key)
        if size and int(size.group(1)) != len(want):
            self.ck.fail(path + "." + key, "ground truth lists %d bytes" % len(want))
            return
        self.ck.eq(path + "." + key, want, got)

    def pair(self, path, sec, key, hi, lo):
        raw = sec.take(key)
        if raw is None:
            return
        m = re.match(r"^(0x[0-9a-fA-F]+):(0x[0-9a-fA-F]+)$", raw)
        if not m:
            self.ck.fail(path + "." + key, "ground truth %r is not hi:lo" % raw)
            return
        self.ck.eq(path + "." + key + " (hi)", int(m.group(1), 16), hi)
        self.ck.eq(path + "." + key + " (lo)", int(m.group(2), 16), lo)

    def leftovers(self, path, sec):
        for key in list(sec.order):
            self.ck.fail(path + "." + key, "ground-truth field not checked (value %r)" % sec.fields[key][:60])
        for line in sec.lines:
            if not re.match(r"^\s+cpu\.\w+ \((valid|invalid)\):\s*$", line):
                self.ck.fail(path, "ground-truth line not understood: %r" % line.strip()[:80])

    # -- sections

    def header(self, sec):
        t, p = self.d.tree, "header"
        self.num(p, sec, "signature", le_u32(t.get("magic1")))
        magic2 = t.get("magic2")
        ver = t.get("version")
        self.num(p, sec, "version", (ver << 16) | le_u32(magic2) if isinstance(ver, int) and magic2 else None)
        self.num(p, sec, "stream_count", t.get("num_streams"))
        self.num(p, sec, "stream_directory_rva", t.get("ofs_streams"))
        self.num(p, sec, "checksum", t.get("checksum"))
        self.num(p, sec, "time_date_stamp", t.get("timestamp"))
        self.num(p, sec, "flags", t.get("flags"))

    def directory(self, sec):
        if not sec.label:
            self.ck.fail("directory", "entry without an index")
            return
        i = sec.label[1]
        p = "directory[%d]" % i
        entry = get(self.d.streams, i)
        self.num(p, sec, "stream_type", get(self.d.types, i))
        self.num(p, sec, "location.data_size", get(entry, "len_data"))
        self.num(p, sec, "location.rva", get(entry, "ofs_data"))

    def stream_map(self, sec):
        for line in sec.lines:
            m = STREAMS_RE.match(line)
            if not m:
                self.ck.fail("streams", "ground-truth line not understood: %r" % line.strip())
                continue
            i = int(m.group(2))
            self.ck.eq("streams (type at index %d)" % i, int(m.group(1), 16), get(self.d.types, i))
        sec.lines = []

    def thread(self, sec, i, t):
        p = "thread[%d]" % i
        self.num(p, sec, "thread_id", get(t, "thread_id"))
        self.num(p, sec, "suspend_count", get(t, "suspend_count"))
        self.num(p, sec, "priority_class", get(t, "priority_class"))
        self.num(p, sec, "priority", get(t, "priority"))
        self.num(p, sec, "teb", get(t, "teb"))
        self.num(p, sec, "stack.start_of_memory_range", get(t, "stack", "addr_memory_range"))
        self.num(p, sec, "stack.memory.data_size", get(t, "stack", "memory", "len_data"))
        self.num(p, sec, "stack.memory.rva", get(t, "stack", "memory", "ofs_data"))
        self.num(p, sec, "thread_context.data_size", get(t, "thread_context", "len_data"))
        self.num(p, sec, "thread_context.rva", get(t, "thread_context", "ofs_data"))

    def context(self, sec, p, ctx):
        regs = get(ctx, "regs")
        if regs is None:
            self.ck.fail(p, "fmtdump has no decoded registers (layout %r)" % get(ctx, "layout"))
        for key in list(sec.order):
            path = re.sub(r"\[\d+\]$", "", key).split(".")
            got = get(regs, *path)
            if sec.fields[key].startswith("0x") and re.search(r"\[\d+\]$", key):
                self.blob(p, sec, key, got)
            else:
                self.num(p, sec, key, got)

    def module(self, sec, j, m):
        p = "module[%d]" % j
        vi = get(m, "version_info") or {}
        info = get(m, "cv_info", "info")
        sig = get(self.d.cv_sigs, j)
        self.num(p, sec, "base_of_image", get(m, "base_of_image"))
        self.num(p, sec, "size_of_image", get(m, "size_of_image"))
        self.num(p, sec, "checksum", get(m, "checksum"))
        self.num(p, sec, "time_date_stamp", get(m, "time_date_stamp"))
        self.num(p, sec, "module_name_rva", get(m, "ofs_module_name"))
        for f in ("signature", "struct_version", "file_flags_mask", "file_flags", "file_os",
                  "file_type", "file_subtype"):
            self.num(p, sec, "version_info." + f, vi.get(f))
        for f in ("file_version", "product_version", "file_date"):
            self.pair(p, sec, "version_info." + f, vi.get(f + "_hi"), vi.get(f + "_lo"))
        for rec in ("cv_record", "misc_record"):
            self.num(p, sec, rec + ".data_size", get(m, rec, "len_data"))
            self.num(p, sec, rec + ".rva", get(m, rec, "ofs_data"))
        self.string(p, sec, "(code_file)", get(m, "module_name", "str"))
        ts, size = get(m, "time_date_stamp"), get(m, "size_of_image")
        if isinstance(ts, int) and isinstance(size, int):
            code_id = ("%08X%x" if self.dialect == "breakpad" else "%08x%x") % (ts, size)
        else:
            code_id = None
        self.string(p, sec, "(code_identifier)", code_id)
        self.num(p, sec, "(cv_record).cv_signature", sig)
        guid = guid_text(get(info, "signature"))
        self.string(p, sec, "(cv_record).signature", guid)
        self.num(p, sec, "(cv_record).age", get(info, "age"))
        self.string(p, sec, "(cv_record).pdb_file_name", get(info, "pdb_file_name"))
        raw = sec.take("(misc_record)")
        if raw is not None:
            if raw == "(null)":
                self.ck.eq(p + ".(misc_record)", None, get(m, "debug_misc"))
            else:
                self.ck.fail(p + ".(misc_record)", "ground truth %r not understood" % raw[:60])
        debug_file = get(info, "pdb_file_name") if sig == CV_RSDS else get(m, "module_name", "str")
        self.string(p, sec, "(debug_file)", debug_file)
        age = get(info, "age")
        debug_id = None
        if guid and isinstance(age, int):
            if self.dialect == "breakpad":
                debug_id = guid.replace("-", "").upper() + "%x" % age
            else:
                debug_id = "%s-%x" % (guid, age)
        self.string(p, sec, "(debug_identifier)", debug_id)
        self.string(p, sec, "(version)", version_text(vi) or "")

    def region(self, sec, i, r):
        p = "region[%d]" % i
        self.num(p, sec, "start_of_memory_range", get(r, "addr_memory_range"))
        self.num(p, sec, "memory.data_size", get(r, "memory", "len_data"))
        self.num(p, sec, "memory.rva", get(r, "memory", "ofs_data"))

    def exception(self, sec, e):
        p, rec = "exception", get(e, "exception_rec") or {}
        self.num(p, sec, "thread_id", get(e, "thread_id"))
        self.num(p, sec, "exception_record.exception_code", rec.get("code"))
        self.num(p, sec, "exception_record.exception_flags", rec.get("flags"))
        self.num(p, sec, "exception_record.exception_record", rec.get("inner_exception"))
        self.num(p, sec, "exception_record.exception_address", rec.get("addr"))
        self.num(p, sec, "exception_record.number_parameters", rec.get("num_params"))
        for i in range(15):
            self.num(p, sec, "exception_record.exception_information[%d]" % i, get(rec, "params", i))
        self.num(p, sec, "thread_context.data_size", get(e, "thread_context", "len_data"))
        self.num(p, sec, "thread_context.rva", get(e, "thread_context", "ofs_data"))

    def sysinfo(self, sec, s):
        p, en = "system_info", self.d.sysinfo_enums
        self.num(p, sec, "processor_architecture", en.get("cpu_arch"))
        self.num(p, sec, "processor_level", get(s, "cpu_level"))
        self.num(p, sec, "processor_revision", get(s, "cpu_revision"))
        self.num(p, sec, "number_of_processors", get(s, "num_cpus"))
        self.num(p, sec, "product_type", en.get("os_type"))
        self.num(p, sec, "major_version", get(s, "os_ver_major"))
        self.num(p, sec, "minor_version", get(s, "os_ver_minor"))
        self.num(p, sec, "build_number", get(s, "os_build"))
        self.num(p, sec, "platform_id", en.get("os_platform"))
        self.num(p, sec, "csd_version_rva", get(s, "ofs_service_pack"))
        self.num(p, sec, "suite_mask", get(s, "os_suite_mask"))
        vendor = get(s, "cpu", "vendor_id")
        vb = vendor.encode("latin-1") if isinstance(vendor, str) else None
        for i in range(3):
            word = struct.unpack_from("<I", vb, 4 * i)[0] if vb and len(vb) >= 4 * i + 4 else None
            self.num(p, sec, "cpu.x86_cpu_info.vendor_id[%d]" % i, word)
        for f in ("version_information", "feature_information", "amd_extended_cpu_features"):
            self.num(p, sec, "cpu.x86_cpu_info." + f, get(s, "cpu", f))
        csd = get(s, "service_pack", "str")
        self.string(p, sec, "(csd_version)", csd)
        self.string(p, sec, "(cpu_vendor)", vendor)
        raw = sec.take("(version)")
        if raw is not None:
            got = "%s.%s.%s" % (get(s, "os_ver_major"), get(s, "os_ver_minor"), get(s, "os_build"))
            self.ck.eq(p + ".(version)", raw, got + (" " + csd if csd else ""))
        raw = sec.take("(cpu_info)")
        if raw is not None:
            check_cpu_info(self.ck, p + ".(cpu_info)", raw, s)

    MISC_NAMES = {"size_of_info": "len_info", "processor_max_mhz": "cpu_max_mhz",
                  "processor_current_mhz": "cpu_cur_mhz", "processor_mhz_limit": "cpu_limit_mhz",
                  "processor_max_idle_state": "cpu_max_idle_state",
                  "processor_current_idle_state": "cpu_cur_idle_state"}

    def misc(self, sec, mi):
        for key in list(sec.order):
            ours = self.MISC_NAMES.get(key, key)
            raw = sec.fields[key]
            if raw == "(invalid)":
                sec.take(key)
                self.ck.eq("misc_info.%s (absent)" % key, None, get(mi, ours))
            elif gt_int(raw) is not None:
                self.num("misc_info", sec, key, get(mi, ours))

    def breakpad_info(self, sec, b):
        for f in ("validity", "dump_thread_id", "requesting_thread_id"):
            self.num("breakpad_info", sec, f, get(b, f))

    def run(self, sections):
        d, ck = self.d, self.ck
        owner = None            # (path, context node) the next context section belongs to
        last_thread = last_region = None
        seen = {"threads": 0, "modules": 0, "regions": 0}
        for sec in sections:
            name, idx = sec.name, sec.label[1] if sec.label else None
            if name == "MDRawHeader":
                self.header(sec)
            elif name == "MDRawDirectory":
                self.directory(sec)
            elif name == "Streams:":
                self.stream_map(sec)
            elif name == "MinidumpThreadList":
                self.num("thread_list", sec, "thread_count", get(d.stream(ST_THREAD_LIST), "num_threads"))
            elif name in ("MDRawThread", "MINIDUMP_THREAD"):
                t = get(d.threads(), idx)
                self.thread(sec, idx, t)
                owner = ("thread[%d].context" % idx, get(t, "context"))
                last_thread = (idx, t)
                seen["threads"] += 1
            elif name.startswith("MDRawContext") or name.startswith("CONTEXT_"):
                if owner is None:
                    ck.fail(name, "context section without a thread or exception")
                else:
                    self.context(sec, owner[0], owner[1])
                    owner = None
            elif name == "Stack":
                if last_thread is None or sec.blob is None:
                    ck.fail("Stack", "stack bytes without a thread")
                else:
                    ck.eq("thread[%d].stack bytes" % last_thread[0], bytes(sec.blob),
                          get(last_thread[1], "stack", "memory", "data"))
            elif name == "MinidumpModuleList":
                self.num("module_list", sec, "module_count", get(d.stream(ST_MODULE_LIST), "num_modules"))
            elif name in ("MDRawModule", "MINIDUMP_MODULE"):
                self.module(sec, idx, get(d.modules(), idx))
                seen["modules"] += 1
            elif name == "MinidumpMemoryList":
                self.num("memory_list", sec, "region_count", get(d.stream(ST_MEMORY_LIST), "num_mem_ranges"))
            elif name in ("MDMemoryDescriptor", "MINIDUMP_MEMORY_DESCRIPTOR"):
                r = get(d.stream(ST_MEMORY_LIST), "mem_ranges", idx)
                self.region(sec, idx, r)
                last_region = (idx, r)
                seen["regions"] += 1
            elif name == "Memory":
                if last_region is None or sec.blob is None:
                    ck.fail("Memory", "memory bytes without a region")
                else:
                    ck.eq("region[%d] bytes" % last_region[0], bytes(sec.blob),
                          get(last_region[1], "memory", "data"))
            elif name in ("MDException", "MINIDUMP_EXCEPTION"):
                e = d.stream(ST_EXCEPTION)
                self.exception(sec, e)
                owner = ("exception.context", get(e, "context"))
            elif name in ("MDRawSystemInfo", "MINIDUMP_SYSTEM_INFO"):
                self.sysinfo(sec, d.stream(ST_SYSTEM_INFO))
            elif name in ("MDRawMiscInfo", "MINIDUMP_MISC_INFO"):
                self.misc(sec, d.stream(ST_MISC_INFO))
            elif name in ("MDRawBreakpadInfo", "MINIDUMP_BREAKPAD_INFO"):
                self.breakpad_info(sec, d.stream(ST_BREAKPAD_INFO))
            else:
                ck.fail(name, "ground-truth section not understood")
                continue
            self.leftovers(sec.name if idx is None else "%s[%d]" % (sec.name, idx), sec)
        # The parse itself must have found what the counts announce.
        for key, count in (("threads", len(d.threads())), ("modules", len(d.modules())),
                           ("regions", len(get(d.stream(ST_MEMORY_LIST), "mem_ranges") or []))):
            ck.eq("%s sections in the ground truth" % key, count, seen[key])


def check_cpu_info(ck, path, raw, s):
    """`[vendor ]family F model M stepping S`, from processor level and revision."""
    m = re.match(r"^(?:(\S+) )?family (\d+) model (\d+) stepping (\d+)$", raw)
    if not m:
        ck.fail(path, "ground truth %r not understood" % raw)
        return
    rev = get(s, "cpu_revision")
    if m.group(1):
        ck.eq(path + " vendor", m.group(1), get(s, "cpu", "vendor_id"))
    ck.eq(path + " family", int(m.group(2)), get(s, "cpu_level"))
    ck.eq(path + " model", int(m.group(3)), rev >> 8 if isinstance(rev, int) else None)
    ck.eq(path + " stepping", int(m.group(4)), rev & 0xFF if isinstance(rev, int) else None)


# ---- rust-minidump JSON reports --------------------------------------------------------

def hexnum(s):
    return int(s, 16) if isinstance(s, str) and s.startswith("0x") else s


def context_pc(ctx):
    regs = get(ctx, "regs") or {}
    for name in ("eip", "rip", "pc"):
        if name in regs:
            return regs[name]
    return None


def module_at(d, addr):
    """The module whose range holds addr, or None."""
    for m in d.modules():
        base, size = get(m, "base_of_image"), get(m, "size_of_image")
        if isinstance(addr, int) and isinstance(base, int) and base <= addr < base + (size or 0):
            return m
    return None


def module_ids(d, j, m, platform):
    """(debug_file, debug_id, code_id) as rust-minidump derives them from the CodeView record."""
    sig, info = get(d.cv_sigs, j), get(m, "cv_info", "info")
    name = get(m, "module_name", "str")
    if sig == CV_RSDS:
        guid, age = guid_text(get(info, "signature")), get(info, "age")
        debug_id = guid.replace("-", "").upper() + "%X" % age if guid and isinstance(age, int) else None
        if platform in (PLATFORM_MACOS, PLATFORM_IOS):
            code_id = guid.replace("-", "") if guid else None
        else:
            ts, size = get(m, "time_date_stamp"), get(m, "size_of_image")
            code_id = "%08x%x" % (ts, size) if isinstance(ts, int) and isinstance(size, int) else None
        return basename(get(info, "pdb_file_name")), debug_id, code_id
    if sig == CV_BPEL:
        bid = get(info, "build_id")
        if not isinstance(bid, str):
            return basename(name), None, None
        b = bytes.fromhex(bid)[:16].ljust(16, b"\0")
        d1, d2, d3 = struct.unpack_from("<IHH", b)
        debug_id = "%08X%04X%04X%s0" % (d1, d2, d3, b[8:].hex().upper())
        return basename(name), debug_id, bid
    return None, None, None


def crash_reason(d):
    """rust-minidump's crash_info.type for the few codes these dumps carry, or None."""
    rec = get(d.stream(ST_EXCEPTION), "exception_rec") or {}
    code, flags, p0 = rec.get("code"), rec.get("flags"), get(rec, "params", 0)
    platform = d.sysinfo_enums.get("os_platform")
    if platform == PLATFORM_WIN32_NT and code == 0xC0000005 and p0 in WIN_ACCESS:
        return "EXCEPTION_ACCESS_VIOLATION_" + WIN_ACCESS[p0]
    if platform == PLATFORM_LINUX and code in LINUX_SIGNALS:
        return LINUX_SIGNALS[code]
    if platform == PLATFORM_MACOS and code == 1 and flags in MAC_BAD_ACCESS:
        return "EXC_BAD_ACCESS / " + MAC_BAD_ACCESS[flags]
    return None


def crash_address(d):
    """Windows access violations report the data address (parameter 1), others the record's."""
    rec = get(d.stream(ST_EXCEPTION), "exception_rec") or {}
    if (d.sysinfo_enums.get("os_platform") == PLATFORM_WIN32_NT and rec.get("code") in (0xC0000005, 0xC0000006)
            and (rec.get("num_params") or 0) >= 2):
        return get(rec, "params", 1)
    return rec.get("addr")


def check_report(ck, d, j):
    platform = d.sysinfo_enums.get("os_platform")
    mods = d.modules()
    ck.eq("modules (count)", len(j.get("modules") or []), len(mods))
    for i, jm in enumerate(j.get("modules") or []):
        m, p = get(mods, i), "modules[%d]" % i
        base, size = get(m, "base_of_image"), get(m, "size_of_image")
        ck.eq(p + ".base_addr", hexnum(jm.get("base_addr")), base)
        ck.eq(p + ".end_addr", hexnum(jm.get("end_addr")),
              base + size if isinstance(base, int) and isinstance(size, int) else None)
        ck.eq(p + ".filename", jm.get("filename"), basename(get(m, "module_name", "str")))
        debug_file, debug_id, code_id = module_ids(d, i, m, platform)
        ck.eq(p + ".debug_file", jm.get("debug_file"), debug_file)
        ck.eq(p + ".debug_id", jm.get("debug_id"), debug_id)
        ck.eq(p + ".code_id", jm.get("code_id"), code_id)
        ck.eq(p + ".version", jm.get("version"), version_text(get(m, "version_info")))
    unloaded = get(d.stream(ST_UNLOADED_MODULES), "entries") or []
    ck.eq("unloaded_modules (count)", len(j.get("unloaded_modules") or []), len(unloaded))

    threads = d.threads()
    exc = d.stream(ST_EXCEPTION)
    crash_tid = get(exc, "thread_id")
    names = {}
    for tn in get(d.stream(ST_THREAD_NAMES), "thread_names") or []:
        names.setdefault(get(tn, "thread_id"), get(tn, "thread_name", "str"))
    ck.eq("thread_count", j.get("thread_count"), len(threads))
    ck.eq("threads (count)", len(j.get("threads") or []), len(threads))
    for i, jt in enumerate(j.get("threads") or []):
        t, p = get(threads, i), "threads[%d]" % i
        tid = get(t, "thread_id")
        ck.eq(p + ".thread_id", jt.get("thread_id"), tid)
        ck.eq(p + ".thread_name", jt.get("thread_name"), names.get(tid))
        frames = jt.get("frames") or []
        if frames and frames[0].get("trust") == "context":
            ctx = get(exc, "context") if tid == crash_tid else get(t, "context")
            check_frame0(ck, d, p + ".frames[0]", frames[0], ctx)

    ct = j.get("crashing_thread") or {}
    ck.eq("crashing_thread.thread_id", ct.get("thread_id"), crash_tid)
    index = next((i for i, t in enumerate(threads) if get(t, "thread_id") == crash_tid), None)
    ck.eq("crashing_thread.threads_index", ct.get("threads_index"), index)
    ck.eq("crashing_thread.thread_name", ct.get("thread_name"), names.get(crash_tid))
    frames = ct.get("frames") or []
    if frames:
        check_frame0(ck, d, "crashing_thread.frames[0]", frames[0], get(exc, "context"))
        regs = get(exc, "context", "regs") or {}
        for name, value in sorted((frames[0].get("registers") or {}).items()):
            ck.eq("crashing_thread.frames[0].registers." + name, hexnum(value), regs.get(name))

    ci = j.get("crash_info") or {}
    ck.eq("crash_info.address", hexnum(ci.get("address")), crash_address(d))
    ck.eq("crash_info.crashing_thread", ci.get("crashing_thread"), index)
    ck.eq("crash_info.type", ci.get("type"), crash_reason(d))

    si, s, en = j.get("system_info") or {}, d.stream(ST_SYSTEM_INFO), d.sysinfo_enums
    ck.eq("system_info.cpu_arch", si.get("cpu_arch"), RUST_CPU_NAMES.get(en.get("cpu_arch")))
    ck.eq("system_info.cpu_count", si.get("cpu_count"), get(s, "num_cpus"))
    ck.eq("system_info.os", si.get("os"), RUST_OS_NAMES.get(platform))
    csd = get(s, "service_pack", "str") or ""
    if platform == PLATFORM_LINUX:
        # Breakpad writes `uname -srvm` there; the report keeps release and version.
        words = csd.split(" ")
        os_ver = " ".join(words[1:-1]) if len(words) > 2 else None
    else:
        os_ver = "%s.%s.%s" % (get(s, "os_ver_major"), get(s, "os_ver_minor"), get(s, "os_build"))
        os_ver += " " + csd if csd else ""
    ck.eq("system_info.os_ver", si.get("os_ver"), os_ver)
    if si.get("cpu_info") is not None:
        check_cpu_info(ck, "system_info.cpu_info", si["cpu_info"], s)

    mi = d.stream(ST_MISC_INFO)
    if isinstance(get(mi, "flags1"), int) and mi["flags1"] & 1:
        pid = get(mi, "process_id")
    else:
        m = re.search(r"^Pid:\s*(\d+)", d.text(ST_LINUX_STATUS) or "", re.M)
        pid = int(m.group(1)) if m else None
    ck.eq("pid", j.get("pid"), pid)

    lsb = d.text(ST_LINUX_LSB)
    if j.get("lsb_release") is None:
        ck.eq("lsb_release (absent)", None, lsb)
    else:
        kv = dict(re.findall(r"^DISTRIB_(\w+)=(.*)$", lsb or "", re.M))
        for key, ours in (("id", "ID"), ("release", "RELEASE"), ("codename", "CODENAME"),
                          ("description", "DESCRIPTION")):
            got = kv.get(ours)
            got = got[1:-1] if got and len(got) >= 2 and got[0] == got[-1] == '"' else got
            ck.eq("lsb_release." + key, j["lsb_release"].get(key), got)

    maps = d.text(ST_LINUX_MAPS)
    ck.eq("linux_memory_map_count", j.get("linux_memory_map_count"),
          None if maps is None else len([l for l in maps.splitlines() if l.strip()]))

    soft = d.text(ST_MOZ_SOFT_ERRORS)
    try:
        soft = None if soft is None else json.loads(soft)
    except ValueError:
        pass
    ck.eq("soft_errors", j.get("soft_errors"), soft)


def check_frame0(ck, d, p, frame, ctx):
    pc = context_pc(ctx)
    ck.eq(p + ".offset", hexnum(frame.get("offset")), pc)
    m = module_at(d, pc)
    if frame.get("module") is not None or m is not None:
        ck.eq(p + ".module", frame.get("module"), basename(get(m, "module_name", "str")))
        ck.eq(p + ".module_offset", hexnum(frame.get("module_offset")),
              pc - m["base_of_image"] if m is not None else None)


# ---- main --------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fmtdump", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every matching value too")
    args = ap.parse_args()
    gt_dir = os.path.join(args.shared, "corpus", "groundtruth")
    if not os.path.isdir(gt_dir):
        print("groundtruth: %s absent, skipped" % gt_dir)
        return 0
    fmtdump = os.path.abspath(args.fmtdump)
    dumps = {}
    passed = failed = 0

    def load(rel):
        if rel not in dumps:
            dumps[rel] = Dump(fmtdump, os.path.join(args.shared, "corpus", "dumps", rel))
        return dumps[rel]

    jobs = [(dump, gt, dialect) for dump, gt, dialect in TEXT_DUMPS]
    jobs += [(dump, gt, None) for dump, gt in JSON_REPORTS]
    for dump, gt, dialect in jobs:
        ck = Checker(short_name(gt), args.verbose)
        try:
            with open(os.path.join(gt_dir, gt), encoding="utf-8") as f:
                text = f.read()
            if not os.path.exists(os.path.join(args.shared, "corpus", "dumps", dump)):
                raise OSError("dump %s missing" % dump)
        except OSError as e:
            ck.fail("ground truth", "cannot read: %s" % e)
            text = None
        d = load(dump) if text is not None else None
        if d is not None and check_run(ck, d):
            try:
                if dialect:
                    TextCheck(ck, d, dialect).run(parse_text_dump(text))
                else:
                    check_report(ck, d, json.loads(strip_front_matter(text)))
            except ValueError as e:
                ck.fail("ground truth", "cannot parse: %s" % e)
        bad = len(ck.fails)
        print("%s vs %s: %d values compared, %d mismatched" % (short_name(dump), short_name(gt), ck.count, bad))
        for line in ck.fails:
            print("  " + line)
        passed += ck.count - bad
        failed += bad
    print("groundtruth: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
