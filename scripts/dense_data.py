#!/usr/bin/env python3
"""Writes a CANP file of dense frames that compress about 1000:1, and a DBC
whose one message has 64 one-bit signals: the input that makes decoded
output largest per input byte (docs/FORMAT.md for the layout). For the
memory-bound checks: a small file that decodes to gigabytes of signals.

    scripts/dense_data.py OUT_DIR [--blocks N] [--frames-per-block N]
"""
import argparse, gzip, os, struct


def frame(ts, can_id, data):
    return struct.pack(">QIBBBB", ts, can_id, 0, 0, len(data), 0) + data


def block(seq, frames, ts0):
    # One Record1 holding one Record2 holding every frame as a Record3.
    body = b"".join(struct.pack(">I", len(f)) + f for f in frames)
    record2 = struct.pack(">QIB3xI", ts0, len(frames), 0, len(body)) + body
    record1 = b"SEQS" + struct.pack(">I8xI", 1, len(record2)) + record2
    member = gzip.compress(record1, compresslevel=9, mtime=0)
    header = b"CANP" + struct.pack(">BHIQQII", 1, 0, seq, ts0, ts0, len(record1), len(member))
    return header + member


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--blocks", type=int, default=150)
    ap.add_argument("--frames-per-block", type=int, default=160_000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    data = bytes([0xA5, 0x5A, 0xFF, 0x00, 0x0F, 0xF0, 0x3C, 0xC3])
    with open(os.path.join(a.out, "dense.bin"), "wb") as f:
        for seq in range(a.blocks):
            ts = 1_700_000_000_000_000_000 + seq
            f.write(block(seq, [frame(ts, 0x100, data)] * a.frames_per_block, ts))
    lines = ['VERSION ""', "", "BS_:", "", "BU_: ECU", "", "BO_ 256 Dense: 8 ECU"]
    lines += [f' SG_ Bit{i} : {i}|1@1+ (1,0) [0|1] "" ECU' for i in range(64)]
    with open(os.path.join(a.out, "dense.dbc"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
