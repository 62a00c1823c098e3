#!/usr/bin/env python3
"""Checks CANP's Parquet tables against the canonical CSV exports of the
same input (spec/PARQUET.md, "What a reader may rely on"): same rows in the
same order, the types of the spec, physical values equal as doubles (1e-12
relative), labels equal; and that pyarrow, DuckDB and polars all read every
file.

  scripts/parquet_conformance.py --parquet DIR --csv DIR --dbc FILE

DIR holds frames.parquet (or frames/part-*.parquet), errors.parquet (or
errors/part-*.parquet) and signals/MESSAGE.parquet (or
signals/MESSAGE/part-*.parquet); the CSV directory holds frames.csv,
signals.csv and errors.csv. The DBC gives each frame's expected message
name (cantools, as the reference reader does). Exit 0 when everything agrees.
"""
import argparse
import glob
import math
import os
import sys

import cantools
import duckdb
import polars as pl
import pyarrow.parquet as pq


def table_files(directory, name):
    """The Parquet files of a table, in part order."""
    single = os.path.join(directory, name + ".parquet")
    if os.path.exists(single):
        return [single]
    return sorted(glob.glob(os.path.join(directory, name, "part-*.parquet")))


def read_all(files, errors, what):
    """Reads a table's files with all three readers; returns the polars frame (pyarrow and DuckDB must agree on row counts)."""
    frames = [pl.read_parquet(f) for f in files]
    df = pl.concat(frames) if frames else None
    rows_pa = sum(pq.read_table(f).num_rows for f in files)
    con = duckdb.connect()
    # Every value decoded, not only the footer's counts.
    rows_duck = sum(con.sql(f"SELECT * FROM read_parquet('{f}')").to_arrow_table().num_rows for f in files)
    if df is not None and not (rows_pa == rows_duck == df.height):
        errors.append(f"{what}: pyarrow reads {rows_pa} rows, DuckDB {rows_duck}, polars {df.height}")
    return df


def message_names(dbc):
    """(frame id, extended) -> message name; the last in DBC order wins, as cantools decodes."""
    names = {}
    for message in dbc.messages:
        names[(message.frame_id, bool(message.is_extended_frame))] = message.name
    return names


def check_frames(parquet_dir, csv_dir, dbc, errors):
    files = table_files(parquet_dir, "frames")
    if not files:
        errors.append("frames: no Parquet file")
        return
    df = read_all(files, errors, "frames")
    want = ["file", "block", "timestamp", "timestamp_ns", "channel", "can_id", "extended", "rtr", "err", "fd", "brs", "esi",
            "length", "data", "message"]
    if df.columns != want:
        errors.append(f"frames: columns {df.columns}, expected {want}")
        return
    types = {"file": pl.String, "block": pl.Int64, "timestamp": pl.Datetime("us", "UTC"), "timestamp_ns": pl.Int64,
             "channel": pl.Int32, "can_id": pl.Int64, "length": pl.Int32, "data": pl.Binary, "message": pl.String}
    for name, dtype in types.items():
        if df[name].dtype != dtype:
            errors.append(f"frames.{name}: {df[name].dtype}, expected {dtype}")
    csv = pl.read_csv(os.path.join(csv_dir, "frames.csv"), infer_schema=False)
    if csv.height != df.height:
        errors.append(f"frames: {df.height} rows, frames.csv has {csv.height}")
        return
    expected = pl.DataFrame({
        "file": csv["file"],
        "block": csv["block"].cast(pl.Int64),
        "timestamp_ns": csv["timestamp_ns"].cast(pl.Int64),
        "channel": csv["channel"].cast(pl.Int32),
        "can_id": csv["can_id"].str.slice(2).str.to_integer(base=16).cast(pl.Int64),
        "extended": csv["extended"] == "1",
        "rtr": csv["rtr"] == "1",
        "fd": csv["fd"] == "1",
        "brs": csv["brs"] == "1",
        "esi": csv["esi"] == "1",
        "length": csv["length"].cast(pl.Int32),
        "data": csv["data"].fill_null("").str.to_lowercase(),
    })
    actual = df.with_columns(pl.col("data").bin.encode("hex").alias("data"))
    for name in expected.columns:
        same = (actual[name] == expected[name]).fill_null(False)
        if not same.all():
            row = int((~same).arg_max())
            errors.append(f"frames.{name}: row {row}: {actual[name][row]!r}, frames.csv {expected[name][row]!r} "
                          f"({int((~same).sum())} rows differ)")
    micros = (actual["timestamp"].cast(pl.Int64) == actual["timestamp_ns"] // 1000).all()
    if not micros:
        errors.append("frames.timestamp: not timestamp_ns // 1000")
    if actual["err"].any():
        errors.append("frames.err: set on a frame (frames.csv has no error frames)")
    names = message_names(dbc)
    expected_message = [
        None if rtr else names.get((cid, ext))
        for cid, ext, rtr in zip(expected["can_id"].to_list(), expected["extended"].to_list(), expected["rtr"].to_list())
    ]
    got = actual["message"].to_list()
    bad = [i for i, (a, b) in enumerate(zip(got, expected_message)) if a != b]
    if bad:
        errors.append(f"frames.message: {len(bad)} rows differ, first row {bad[0]}: {got[bad[0]]!r}, expected {expected_message[bad[0]]!r}")


def check_errors(parquet_dir, csv_dir, errors):
    """errors.csv of `canp export` (the canonical reasons; the reference reader words its own)."""
    files = table_files(parquet_dir, "errors")
    if not files:
        errors.append("errors: no Parquet file (it is written even without rows)")
        return
    df = read_all(files, errors, "errors")
    csv = pl.read_csv(os.path.join(csv_dir, "errors.csv"), infer_schema=False)
    if df.columns != ["file", "block", "offset", "level", "reason"]:
        errors.append(f"errors: columns {df.columns}")
        return
    if df.height != csv.height:
        errors.append(f"errors: {df.height} rows, errors.csv has {csv.height}")
        return
    for name, cast in (("file", None), ("block", pl.Int64), ("offset", pl.Int64), ("level", None), ("reason", None)):
        want = csv[name] if cast is None else csv[name].cast(cast)
        if not (df[name] == want).all():
            errors.append(f"errors.{name}: differs from errors.csv")


def frame_groups(sig):
    """A frame id per signals.csv row. A frame's rows are consecutive and name each signal once
    (in the reader's order, which need not be SG_ order): a new frame starts where the key
    changes or a signal repeats."""
    keys = sig.select(pl.concat_str(["file", "block", "timestamp_ns", "channel", "can_id", "message"], separator="|"))
    keys = keys.to_series().to_list()
    names = sig["signal"].to_list()
    ids = []
    frame = 0
    previous = None
    seen = set()
    for key, name in zip(keys, names):
        if key != previous or name in seen:
            frame += 1
            seen = set()
            previous = key
        seen.add(name)
        ids.append(frame)
    return pl.Series("frame", ids)


def check_signals(parquet_dir, csv_dir, dbc, errors):
    sig = pl.read_csv(os.path.join(csv_dir, "signals.csv"), infer_schema=False)
    sig = sig.with_columns(frame_groups(sig).alias("frame"))
    names_seen = set()
    checked = 0
    for message in dbc.messages:
        directory = escape(message.name)
        if message.name in names_seen:
            directory += "__0x%X" % message.frame_id
        names_seen.add(message.name)
        rows = sig.filter(pl.col("message") == message.name)
        if message.name in [m.name for m in dbc.messages if m is not message] :
            rows = rows.filter(pl.col("can_id").str.slice(2).str.to_integer(base=16) == message.frame_id)
        files = table_files(os.path.join(parquet_dir, "signals"), directory)
        if rows.height == 0:
            if files:
                errors.append(f"signals/{directory}: a file for a message without rows")
            continue
        if not files:
            errors.append(f"signals/{directory}: missing ({rows.height} signal rows in signals.csv)")
            continue
        df = read_all(files, errors, f"signals/{directory}")
        frames = rows.group_by("frame", maintain_order=True).first()
        if df.height != frames.height:
            errors.append(f"signals/{directory}: {df.height} rows, signals.csv has {frames.height} frames")
            continue
        keys = {"file": frames["file"], "block": frames["block"].cast(pl.Int64),
                "timestamp_ns": frames["timestamp_ns"].cast(pl.Int64), "channel": frames["channel"].cast(pl.Int32)}
        for name, want in keys.items():
            if not (df[name] == want).all():
                errors.append(f"signals/{directory}.{name}: differs from signals.csv")
        if not (df["timestamp"].cast(pl.Int64) == df["timestamp_ns"] // 1000).all():
            errors.append(f"signals/{directory}.timestamp: not timestamp_ns // 1000")
        frame_ids = frames["frame"]
        taken = {"file", "block", "timestamp", "timestamp_ns", "channel"}
        for s in message.signals:
            column = s.name
            while column in taken:
                column += "_"
            taken.add(column)
            label_column = None
            if s.choices:
                label_column = s.name + "_label"
                while label_column in taken:
                    label_column += "_"
                taken.add(label_column)
            these = rows.filter(pl.col("signal") == s.name).select("frame", "value", "label")
            joined = pl.DataFrame({"frame": frame_ids}).join(these, on="frame", how="left", maintain_order="left")
            if column not in df.columns:
                errors.append(f"signals/{directory}: no column {column}")
                continue
            if df[column].dtype != pl.Float64:
                errors.append(f"signals/{directory}.{column}: {df[column].dtype}")
            want = joined["value"].cast(pl.Float64).to_list()
            got = df[column].to_list()
            bad = [i for i, (a, b) in enumerate(zip(got, want))
                   if not ((a is None and b is None) or (a is not None and b is not None and
                                                         (a == b or (math.isnan(a) and math.isnan(b)) or
                                                          abs(a - b) <= 1e-12 * max(abs(a), abs(b)))))]
            if bad:
                errors.append(f"signals/{directory}.{column}: {len(bad)} rows differ, first {bad[0]}: {got[bad[0]]!r}, expected {want[bad[0]]!r}")
            if label_column:
                if label_column not in df.columns:
                    errors.append(f"signals/{directory}: no column {label_column}")
                    continue
                got_labels = df[label_column].to_list()
                want_labels = joined["label"].to_list()
                bad = [i for i, (a, b) in enumerate(zip(got_labels, want_labels)) if (a or None) != (b or None)]
                if bad:
                    errors.append(f"signals/{directory}.{label_column}: {len(bad)} rows differ, first {bad[0]}: "
                                  f"{got_labels[bad[0]]!r}, expected {want_labels[bad[0]]!r}")
        checked += 1
    return checked


def escape(name):
    out = []
    for byte in name.encode():
        c = chr(byte)
        out.append(c if c.isascii() and (c.isalnum() or c in "_-") else "%%%02X" % byte)
    return "".join(out)


STATISTICS_COLUMNS = ("file", "block", "timestamp", "timestamp_ns")


def check_statistics(parquet_dir, errors):
    """The row groups' min/max of the columns the spec promises them for, against the values. Returns the row groups checked."""
    checked = 0
    for path in sorted(glob.glob(os.path.join(parquet_dir, "**", "*.parquet"), recursive=True)):
        handle = pq.ParquetFile(path)
        metadata = handle.metadata
        names = [metadata.schema.column(i).name for i in range(metadata.num_columns)]
        for group in range(metadata.num_row_groups):
            present = [name for name in STATISTICS_COLUMNS if name in names]
            table = handle.read_row_group(group, columns=present)
            for name in present:
                stats = metadata.row_group(group).column(names.index(name)).statistics
                values = table.column(name).to_pylist()
                if stats is None or not stats.has_min_max:
                    errors.append(f"{path}: row group {group}: {name} has no min/max statistics")
                    continue
                low, high = stats.min, stats.max   # typed as the values read back (timestamp: datetimes)
                if (low, high) != (min(values), max(values)):
                    errors.append(f"{path}: row group {group}: {name} statistics {low!r}..{high!r}, "
                                  f"values {min(values)!r}..{max(values)!r}")
            checked += 1
    return checked


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--parquet", required=True)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--dbc", required=True)
    parser.add_argument("--errors-csv", help="the directory of the errors.csv to compare with (default: --csv)")
    args = parser.parse_args()
    dbc = cantools.database.load_file(args.dbc, strict=False)
    errors = []
    check_frames(args.parquet, args.csv, dbc, errors)
    check_errors(args.parquet, args.errors_csv or args.csv, errors)
    tables = check_signals(args.parquet, args.csv, dbc, errors)
    groups = check_statistics(args.parquet, errors)
    for error in errors[:50]:
        print("  " + error)
    print(f"parquet_conformance: frames, errors and {tables} message tables against the CSV exports, "
          f"statistics of {groups} row groups: "
          f"{'all agree' if not errors else f'{len(errors)} problems'}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
