#!/usr/bin/env python3
"""The peer candump users have today: python-can's CanutilsLogReader with
cantools, decoding every frame's signals (the first --max-frames frames of the
file: the rate is what counts). CPU time of this one process, so the rate is
per core.

  pythoncan_candump_peer.py FILE --dbc X.dbc [--max-frames N] [--json OUT]
"""
import argparse, json, logging, sys, time

import can
import cantools


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--dbc", required=True)
    ap.add_argument("--max-frames", type=int, default=200_000)
    ap.add_argument("--json")
    args = ap.parse_args()
    logging.getLogger("can").setLevel(logging.ERROR)
    db = cantools.database.load_file(args.dbc, strict=False)
    by_id = {(m.frame_id, m.is_extended_frame): m for m in db.messages}
    frames = signals = 0
    start = time.process_time()
    for msg in can.CanutilsLogReader(args.file):
        if msg.is_error_frame:
            continue
        frames += 1
        if not msg.is_remote_frame:
            m = by_id.get((msg.arbitration_id, msg.is_extended_id))
            if m is not None:
                try:
                    signals += len(m.decode(msg.data, decode_choices=False, allow_truncated=True))
                except Exception:
                    pass
        if frames >= args.max_frames:
            break
    seconds = time.process_time() - start
    result = {"peer": f"python-can {can.__version__} CanutilsLogReader + cantools {cantools.__version__}",
              "frames": frames, "signals": signals, "cpu_seconds": seconds, "frames_per_s": frames / seconds,
              "signals_per_s": signals / seconds}
    print(f"peer: {frames} frames, {signals} signals in {seconds:.2f} s CPU: "
          f"{frames / seconds / 1e6:.3f} M frames/s per core", file=sys.stderr)
    if args.json:
        json.dump(result, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
