#!/usr/bin/env python3
"""The pyarrow peer of CANP's Parquet stage: the same tables, written by
pyarrow.parquet.write_table from memory on one thread.

Reads every .parquet file under DIR (the tables CANP wrote: frames, errors,
one per message) into memory with pyarrow, then times writing all of them
(best of --repetitions, wall time and process CPU time: on a shared machine
wall time also counts the time other processes held the core) in two setups,
both zstd:

  fastest   dictionary encoding for the string columns only, DELTA_BINARY_PACKED
            for block, timestamp and timestamp_ns (issue 13: the fastest setup
            measured here);
  smallest  dictionary encoding for every other column, the same DELTA columns.

Prints one line per setup and, with --json FILE, writes the times and sizes.
Usage: scripts/peers/pyarrow_parquet_peer.py DIR [--repetitions N] [--json FILE] [--out DIR2]
"""
import argparse
import glob
import json
import os
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

DELTA = {"block", "timestamp", "timestamp_ns"}


def options(setup, table):
    strings = [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    encoding = {c: "DELTA_BINARY_PACKED" for c in table.column_names if c in DELTA}
    if setup == "fastest":
        dictionary = strings
    else:
        dictionary = [c for c in table.column_names if c not in DELTA]
    return dict(compression="zstd", use_dictionary=dictionary, column_encoding=encoding)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--json")
    parser.add_argument("--out")
    args = parser.parse_args()
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    paths = sorted(glob.glob(f"{args.directory}/**/*.parquet", recursive=True))
    input_bytes = None
    tables = {os.path.relpath(p, args.directory): pq.read_table(p) for p in paths}
    rows = sum(t.num_rows for t in tables.values())
    out = args.out or tempfile.mkdtemp(prefix="pyarrow-peer-")
    results = {"pyarrow": pa.__version__, "tables": len(tables), "rows": rows}
    for setup in ("fastest", "smallest"):
        best = None
        best_wall = None
        sizes = {}
        for _ in range(args.repetitions):
            start, start_wall = time.process_time(), time.perf_counter()
            for name, table in tables.items():
                target = os.path.join(out, setup, name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                pq.write_table(table, target, **options(setup, table))
            elapsed, wall = time.process_time() - start, time.perf_counter() - start_wall
            best = elapsed if best is None else min(best, elapsed)
            best_wall = wall if best_wall is None else min(best_wall, wall)
            sizes = {name: os.path.getsize(os.path.join(out, setup, name)) for name in tables}
        total = sum(sizes.values())
        results[setup] = {"seconds": best, "wall_seconds": best_wall, "bytes": total, "sizes": sizes}
        print(f"pyarrow {pa.__version__} {setup:8s}: {best * 1000:8.1f} ms CPU, {best_wall * 1000:8.1f} ms wall, {total} bytes "
              f"({len(tables)} tables, {rows} rows)")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
