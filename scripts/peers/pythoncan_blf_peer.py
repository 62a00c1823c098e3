#!/usr/bin/env python3
"""The peer BLF users have today: python-can's BLFReader with cantools, decoding
every frame's signals. Puts canp's BLF throughput next to it (on the first
frames of a file: the rate is what counts).

  pythoncan_blf_peer.py FILE... --dbc X.dbc [--max-frames N] [--json OUT]
"""
import argparse, json, logging, sys, time

import can
import cantools


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--dbc", required=True)
    ap.add_argument("--max-frames", type=int, default=200_000)
    ap.add_argument("--json")
    args = ap.parse_args()
    logging.disable(logging.WARNING)  # python-can warns for every object header version it does not know
    db = cantools.database.load_file(args.dbc, strict=False)
    by_id = {(m.frame_id, m.is_extended_frame): m for m in db.messages}
    frames = signals = 0
    compressed = 0
    start = time.process_time()
    for path in args.files:
        reader = can.BLFReader(path)
        for msg in reader:
            frames += 1
            if not (msg.is_error_frame or msg.is_remote_frame):
                m = by_id.get((msg.arbitration_id, msg.is_extended_id))
                if m is not None:
                    try:
                        signals += len(m.decode(msg.data, decode_choices=False, allow_truncated=True))
                    except Exception:
                        pass
            if frames >= args.max_frames:
                break
        position = reader.file.tell()
        compressed += position
        reader.stop()
        if frames >= args.max_frames:
            break
    seconds = time.process_time() - start
    result = {"peer": f"python-can {can.__version__} BLFReader + cantools {cantools.__version__}", "frames": frames,
              "signals": signals, "compressed_bytes": compressed, "seconds": seconds,
              "compressed_mb_per_s": compressed / 1e6 / seconds, "frames_per_s": frames / seconds,
              "signals_per_s": signals / seconds}
    print(f"peer: {frames} frames, {signals} signals in {seconds:.2f} s: "
          f"{result['compressed_mb_per_s']:.2f} MB/s, {frames / seconds / 1e3:.1f} k frames/s", file=sys.stderr)
    if args.json:
        json.dump(result, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
