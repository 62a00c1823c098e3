#!/usr/bin/env python3
"""Helper of scripts/blf_conformance: python-can is the oracle for BLF.

  write-blf FRAMES_CSV OUT.blf [--stored] [--container N] [--level L]
      writes the frames of a canonical frames.csv with python-can's BLFWriter
      (timestamps as floats, channel as python-can numbers it: BLF channel - 1).
  check BLF CANP_OUT --dbc DBC [--ref REF]
      reads BLF with python-can's BLFReader, decodes signals with cantools (the
      reference's decode rules, ../shared/reference/canp_ref.py), maps them as
      docs/INPUTS.md says and compares them with CANP_OUT/frames.csv and
      signals.csv that `canp export` wrote for the same file. Error frames are
      bus error events (no rows). Timestamps are compared exactly: canp's
      integer ns, turned into the float python-can computes for them.
"""
import argparse
import csv
import logging
import math
import os
import struct
import sys
from decimal import Decimal

import can
from can.io import blf as pyblf


def write_blf(frames_csv, out, stored, container, level):
    kwargs = {"compression_level": 0 if stored else level}
    if container:
        kwargs["max_container_size"] = container
    writer = can.BLFWriter(out, **kwargs)
    with open(frames_csv, newline="") as f:
        for row in csv.DictReader(f):
            data = bytes.fromhex(row["data"])
            writer.on_message_received(can.Message(
                timestamp=int(row["timestamp_ns"]) / 1e9, arbitration_id=int(row["can_id"], 16),
                is_extended_id=row["extended"] == "1", is_remote_frame=row["rtr"] == "1", is_fd=row["fd"] == "1",
                bitrate_switch=row["brs"] == "1", error_state_indicator=row["esi"] == "1",
                dlc=len(data), data=data, channel=int(row["channel"]), check=False))
    writer.stop()


def container_blocks(path):
    """The top-level index of every container python-can parses (methods 0 and 2), in order:
    the `block` of INPUTS.md. A walk over top-level headers only, as BLFReader's own loop goes."""
    blocks = []
    with open(path, "rb") as f:
        data = f.read()
    pos = struct.unpack_from("<L", data, 4)[0]
    index = 0
    while pos + 16 <= len(data):
        sig, _, _, size, kind = struct.unpack_from("<4sHHLL", data, pos)
        if sig != b"LOBJ":
            raise SystemExit(f"{path}: top-level damage at {pos}; the oracle cannot read it")
        if kind == 10 and struct.unpack_from("<H", data, pos + 16)[0] in (0, 2):
            blocks.append(index)
        index += 1
        pos += size + size % 4
    return blocks


class BlockReader(pyblf.BLFReader):
    """BLFReader that yields (block, message): the container in which the message's LOBJ header starts."""

    def __init__(self, path):
        super().__init__(path)
        self._blocks = container_blocks(path)
        self._calls = 0

    def _parse_container(self, data):
        call = self._calls
        self._calls += 1
        tail = len(self._tail)
        joined = b"".join((self._tail, data)) if self._tail else data
        try:
            for msg in self._parse_data(joined):
                at = joined.index(b"LOBJ", self._pos, self._pos + 8)
                yield (self._blocks[call - 1] if at < tail else self._blocks[call]), msg
        except struct.error:
            pass
        self._tail = joined[self._pos:]


def load_reference(path):
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    import canp_ref  # noqa: E402
    return canp_ref


def expected_rows(path, dbc, ref):
    import cantools
    db = cantools.database.load_file(dbc, strict=False, sort_signals=None, encoding=ref.dbc_encoding(dbc))
    by_id = {(m.frame_id, m.is_extended_frame): m for m in db.messages}
    name = os.path.basename(path)
    reader = BlockReader(path)
    frames, signals, errors = [], [], 0
    for block, msg in reader:
        if msg.is_error_frame:
            errors += 1
            continue
        hex_id = "0x%X" % msg.arbitration_id
        data = bytes(msg.data)
        key = (name, str(block), msg.timestamp, str(msg.channel), hex_id)
        frames.append(key + (str(int(msg.is_extended_id)), str(int(msg.is_remote_frame)), str(int(msg.is_fd)),
                             str(int(msg.bitrate_switch)), str(int(msg.error_state_indicator)), str(len(data)),
                             data.hex().upper()))
        m = by_id.get((msg.arbitration_id, msg.is_extended_id))
        if m is None or msg.is_remote_frame:
            continue
        raw, phys = ref.decode(m, data)
        for s in m.signals:
            if s.name not in raw:
                continue
            label = str(s.choices[raw[s.name]]) if s.choices and raw[s.name] in s.choices else ""
            r = ref.fmt_value(raw[s.name]) if s.is_float else str(int(raw[s.name]))
            signals.append(key + (m.name, s.name, r, ref.fmt_value(phys[s.name]), label))
    return reader.start_timestamp, frames, signals, errors


def canp_rows(path, name, start):
    """canp's rows of file `name`, timestamp_ns turned into the float python-can gives for it."""
    start_ns = round(start * 1000) * 1_000_000
    with open(path, newline="") as f:
        rows = list(csv.reader(f))[1:]
    out = []
    for row in rows:
        if row[0] != name:
            continue
        ns = int(row[2])
        ts = float(Decimal(ns - start_ns) * Decimal("1e-9")) + start
        out.append((row[0], row[1], ts) + tuple(row[3:]))
    return out


def same(x, y, fuzzy):
    if x == y:
        return True
    if len(x) != len(y):
        return False
    for k, (u, v) in enumerate(zip(x, y)):
        if u == v:
            continue
        if k in fuzzy:
            try:
                if math.isclose(float(u), float(v), rel_tol=1e-12, abs_tol=1e-300):
                    continue
            except ValueError:
                pass
        return False
    return True


def check(blf, out, dbc, ref_path):
    logging.disable(logging.WARNING)  # python-can warns for every unknown header version
    ref = load_reference(ref_path)
    start, frames, signals, errors = expected_rows(blf, dbc, ref)
    bad = 0
    for name, expected, fuzzy in (("frames.csv", frames, ()), ("signals.csv", signals, (7, 8))):
        got = canp_rows(os.path.join(out, name), os.path.basename(blf), start)
        if len(got) != len(expected):
            print(f"{blf}: {name}: canp {len(got)} rows, python-can {len(expected)}")
            bad += 1
        for i, (x, y) in enumerate(zip(got, expected)):
            if not same(x, y, fuzzy):
                bad += 1
                if bad <= 10:
                    print(f"{blf}: {name} row {i + 1}: canp {x} != python-can {y}")
    print(f"{os.path.basename(blf)}: {len(frames)} frames, {len(signals)} signals, {errors} error frames: "
          + ("agree" if bad == 0 else f"{bad} mismatches"))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write-blf")
    w.add_argument("frames"); w.add_argument("out")
    w.add_argument("--stored", action="store_true"); w.add_argument("--container", type=int, default=0)
    w.add_argument("--level", type=int, default=-1)
    c = sub.add_parser("check")
    c.add_argument("blf"); c.add_argument("out"); c.add_argument("--dbc", required=True)
    c.add_argument("--ref", default=os.environ.get("CANP_REFERENCE", "../shared/reference/canp_ref.py"))
    args = ap.parse_args()
    if args.cmd == "write-blf":
        write_blf(args.frames, args.out, args.stored, args.container, args.level)
        return 0
    return check(args.blf, args.out, args.dbc, args.ref)


if __name__ == "__main__":
    sys.exit(main())
