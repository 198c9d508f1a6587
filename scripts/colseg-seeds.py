#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""colseg-seeds.py — writes the seed inputs of the fuzz targets fuzz_colseg
and fuzz_colfile (fuzz/corpus/colseg, fuzz/corpus/colfile) in the layouts
of src/store/sqlite/colseg.h ("CXC2") and src/store/sqlite/colfile.h ("CXCOLF2"), checksums
included, beside a few of the layout before migration 0010 ("CXC1",
"CXCOLF1"), which the readers refuse or upgrade. Run from the repository
root; `--store-cols FILE` adds a real <store>-cols file as a seed."""
import argparse
import os
import struct

M = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F,
                      0x165667B19E3779F9, 0x85EBCA77C2B2AE63,
                      0x27D4EB2F165667C5)


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M


def rnd(acc, x):
    acc = (acc + x * P2) & M
    return rotl(acc, 31) * P1 & M


def xxh64(data, seed=0):
    """XXH64, as src/core/checksum.c (the reference algorithm)."""
    n, p = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed, (seed - P1) & M]
        while p <= n - 32:
            for i in range(4):
                v[i] = rnd(v[i], struct.unpack_from("<Q", data, p + 8 * i)[0])
            p += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) +
             rotl(v[3], 18)) & M
        for x in v:
            h = ((h ^ rnd(0, x)) * P1 + P4) & M
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while n - p >= 8:
        h ^= rnd(0, struct.unpack_from("<Q", data, p)[0])
        h = (rotl(h, 27) * P1 + P4) & M
        p += 8
    if n - p >= 4:
        h ^= struct.unpack_from("<I", data, p)[0] * P1 & M
        h = (rotl(h, 23) * P2 + P3) & M
        p += 4
    while p < n:
        h ^= data[p] * P5 & M
        h = rotl(h, 11) * P1 & M
        p += 1
    h ^= h >> 33
    h = h * P2 & M
    h ^= h >> 29
    h = h * P3 & M
    h ^= h >> 32
    return h


assert xxh64(b"") == 0xEF46DB3751D8E999
assert xxh64(b"abc") == 0x44BC2CF5AD770999


def put_col(vals, w):
    return b"".join(v.to_bytes(w, "little") for v in vals)


def width(vals, widths):
    for w in widths:
        if all(v < 1 << (8 * w) for v in vals):
            return w
    raise ValueError("too wide")


def segment(answers):
    """answers: (offset ms, score − min, [6 ids]). A "CXC2" blob."""
    n = len(answers)
    sw = width([a[1] for a in answers], (1, 2)) if n else 1
    cw = [width([a[2][c] for a in answers], (1, 2, 3)) if n else 1
          for c in range(6)]
    body = struct.pack("<I", n) + bytes([sw] + cw)
    body += b"".join(struct.pack("<I", a[0]) for a in answers)
    body += put_col([a[1] for a in answers], sw)
    for c in range(6):
        body += put_col([a[2][c] for a in answers], cw[c])
    return b"CXC2" + struct.pack("<Q", xxh64(body)) + body


def segment_v1(answers):
    return b"CXC1" + segment(answers)[12:]


def colfile(token, months):
    """months: (workspace, first day, count, blob or None)."""
    n = len(months)
    off = 40 + 40 * n
    entries, data = b"", b""
    for ws, t, cnt, blob in months:
        if blob is None:
            entries += struct.pack("<qqqQQ", ws, t, cnt, M, 0)
            continue
        entries += struct.pack("<qqqQQ", ws, t, cnt, off, len(blob))
        pad = blob + b"\0" * (-len(blob) % 8)
        data += pad
        off += len(pad)
    head = b"CXCOLF2\n" + struct.pack("<qQQ", token, n, off)
    return (head + struct.pack("<Q", xxh64(entries, xxh64(head))) + entries +
            data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store-cols")
    a = ap.parse_args()
    one = [(1000, 4, [0, 0, 1, 2, 0, 0])]
    small = [(i * 86400000 + i, i % 5, [i % 3, i % 7, i % 2, i % 3, 0, i % 4])
             for i in range(20)]
    wide = [(i, 1000 + i, [i % 3, 300 + i, 1, 2, 3, 65535])
            for i in range(5)]
    three = [(i, i % 11, [0, 70000 + i * 100, 1, 2, 3, 4]) for i in range(6)]
    seeds = {
        "colseg/empty": segment([]),
        "colseg/one": segment(one),
        "colseg/small_widths": segment(small),
        "colseg/wide": segment(wide),
        "colseg/three_byte_ids": segment(three),
        "colseg/bad_checksum": segment(small)[:-1] + b"\x55",
        "colseg/truncated": segment(small)[:60],
        "colseg/v1_small": segment_v1(small),
        "colseg/v1_wide": segment_v1(wide),
        "colfile/empty": b"",
        "colfile/no_entries": colfile(7, []),
        "colfile/one_month": colfile(7, [(1, 20454, 1, segment(one))]),
        "colfile/two_months": colfile(-3, [(1, 20454, 20, segment(small)),
                                           (1, 20485, 6, segment(three))]),
        "colfile/null_segment": colfile(9, [(1, 20454, 3, None),
                                            (1, 20485, 1, segment(one))]),
    }
    two = seeds["colfile/two_months"]
    seeds["colfile/truncated"] = two[:len(two) // 2]
    seeds["colfile/bad_header_checksum"] = two[:32] + b"\1" + two[33:]
    seeds["colfile/bad_padding"] = two[:-1] + b"\1"
    seeds["colfile/bad_length"] = two[:24] + struct.pack("<Q", 9) + two[32:]
    if a.store_cols:
        with open(a.store_cols, "rb") as f:
            seeds["colfile/store_50_answers"] = f.read()
    for name, data in seeds.items():
        with open(os.path.join("fuzz", "corpus", name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
