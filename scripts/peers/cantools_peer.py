#!/usr/bin/env python3
"""The peer users have today: a Python reader of CANP files with gzip, struct and
cantools, decoding every frame's signals. Used by scripts/bench to put CANP's
throughput next to it (on a subset of blocks: the rate is what counts).

  cantools_peer.py FILE... --dbc X.dbc [--max-blocks N] [--json OUT]
"""
import argparse, gzip, json, struct, sys, time

import cantools


def frames_of(inflated):
    """Walks levels 1-3 of one inflated block; yields frame bytes."""
    p, end = 0, len(inflated)
    while p + 20 <= end:
        e1 = p + 20 + struct.unpack_from(">I", inflated, p + 16)[0]
        q = p + 20
        while q + 20 <= e1:
            e2 = q + 20 + struct.unpack_from(">I", inflated, q + 16)[0]
            r = q + 20
            while r + 4 <= e2:
                n = struct.unpack_from(">I", inflated, r)[0]
                yield inflated[r + 4:r + 4 + n]
                r += 4 + n
            q = e2
        p = e1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--dbc", required=True)
    ap.add_argument("--max-blocks", type=int, default=300)
    ap.add_argument("--json")
    args = ap.parse_args()
    db = cantools.database.load_file(args.dbc, strict=False)
    by_id = {(m.frame_id, m.is_extended_frame): m for m in db.messages}
    blocks = frames = signals = compressed = 0
    start = time.perf_counter()
    for path in args.files:
        data = open(path, "rb").read()
        p = 0
        while p + 35 <= len(data) and blocks < args.max_blocks:
            n0 = struct.unpack_from(">I", data, p + 31)[0]
            inflated = gzip.decompress(data[p + 35:p + 35 + n0])
            compressed += 35 + n0
            p += 35 + n0
            blocks += 1
            for fr in frames_of(inflated):
                ts, cid, flags, ch, n, _ = struct.unpack_from(">QIBBBB", fr, 0)
                frames += 1
                if cid & (1 << 30 | 1 << 29):
                    continue
                m = by_id.get((cid & 0x1FFFFFFF, bool(cid & 1 << 31)))
                if m is None:
                    continue
                try:
                    signals += len(m.decode(fr[16:16 + n], decode_choices=False, allow_truncated=True))
                except Exception:
                    pass
        if blocks >= args.max_blocks:
            break
    seconds = time.perf_counter() - start
    result = {"peer": "python gzip+struct+cantools " + cantools.__version__, "blocks": blocks, "frames": frames,
              "signals": signals, "compressed_bytes": compressed, "seconds": seconds,
              "compressed_mb_per_s": compressed / 1e6 / seconds, "frames_per_s": frames / seconds,
              "signals_per_s": signals / seconds}
    print(f"peer: {blocks} blocks, {frames} frames, {signals} signals in {seconds:.2f} s: "
          f"{result['compressed_mb_per_s']:.2f} MB/s, {frames / seconds / 1e3:.1f} k frames/s", file=sys.stderr)
    if args.json:
        json.dump(result, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
