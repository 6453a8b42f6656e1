#!/usr/bin/env python3
"""Check a screenshot of fmtdump's HTML page: the tree pane and the hex pane are drawn.

Usage: png_panes.py SHOT.png
Decodes the PNG (8-bit RGB or RGBA, non-interlaced, as chromium writes it) and asks for:
the header bar's colour (#234) across the top; in the left half, text and the selected
row's colour (#cde); in the right half, text and the highlighted bytes' colour (#fd6).
Prints what is missing and exits 1, or prints "panes ok".
"""
import struct
import sys
import zlib

HEADER, SELECTED, HIGHLIGHT = (0x22, 0x33, 0x44), (0xcc, 0xdd, 0xee), (0xff, 0xdd, 0x66)


def decode(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("unsupported PNG: depth %d, colour type %d" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    w, h, bpp, rows = decode(sys.argv[1])

    def count(colour, x0, x1, y0, y1):
        want = bytes(colour)
        return sum(1 for y in range(y0, y1) for x in range(x0, x1)
                   if rows[y][x * bpp:x * bpp + 3] == want)

    def dark(x0, x1, y0, y1):
        return sum(1 for y in range(y0, y1, 2) for x in range(x0, x1, 2)
                   if sum(rows[y][x * bpp:x * bpp + 3]) < 240)

    missing = []
    if count(HEADER, 0, w, 0, min(h, 20)) < w * 5:
        missing.append("the header bar")
    top, half = min(h, 40), w // 2
    if dark(0, half, top, h) < 200:
        missing.append("text in the tree pane")
    if count(SELECTED, 0, half, top, h) < 500:
        missing.append("the selected tree row")
    if dark(half, w, top, h) < 200:
        missing.append("text in the hex pane")
    if count(HIGHLIGHT, half, w, top, h) < 100:
        missing.append("the highlighted bytes in the hex pane")
    if missing:
        print("screenshot lacks: " + ", ".join(missing))
        return 1
    print("panes ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
