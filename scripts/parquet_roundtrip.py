#!/usr/bin/env python3
"""Reads the Parquet files that CANP's writer made for the round-trip test
(Tests/CanpTests/Output/Parquet/ParquetRoundTripTests.swift writes them and
DIR/cases.json, which lists every file with its columns and expected values)
with three independent readers, pyarrow, DuckDB and polars, and checks:

- every value, exactly: doubles by bit pattern (NaN as NaN), -0.0 kept,
  integers and timestamps as integers, strings and bytes byte for byte,
  nulls where expected;
- the schema each reader sees: physical and logical types, nullability;
- the file's metadata (pyarrow): row and row group counts, the codec and
  the data page encoding of every column chunk, key/value metadata;
- the row group statistics: null counts, and min/max computed here from
  the expected values of each row group (NaN left out; none when a column
  does not collect them).

Usage: scripts/parquet_roundtrip.py DIR   (exit 0: all files agree)
"""
import json
import math
import struct
import sys


def fail(errors, message):
    errors.append(message)


def expected_value(v):
    """JSON form -> Python value: doubles 'd:<hex bits>', bytes 'x:<hex>'."""
    if isinstance(v, str) and v.startswith("d:"):
        return struct.unpack("<d", struct.pack("<Q", int(v[2:], 16)))[0]
    if isinstance(v, str) and v.startswith("x:"):
        return bytes.fromhex(v[2:])
    return v


def same(expected, actual):
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, float):
        if not isinstance(actual, float):
            return False
        if math.isnan(expected):
            return math.isnan(actual)
        return struct.pack("<d", expected) == struct.pack("<d", actual)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, bytes):
        return bytes(actual) == expected
    return expected == actual


def compare_column(errors, reader, case, column, values, actual):
    if len(actual) != len(values):
        fail(errors, f"{reader}: {case}.{column}: {len(actual)} rows, expected {len(values)}")
        return
    bad = [i for i, (e, a) in enumerate(zip(values, actual)) if not same(e, a)]
    if bad:
        i = bad[0]
        fail(errors, f"{reader}: {case}.{column}: {len(bad)} rows differ, first row {i}: {actual[i]!r}, expected {values[i]!r}")


def order_key(value):
    return value


def check_pyarrow(errors, path, case, columns):
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    md = pf.metadata
    if md.num_rows != case["rows"]:
        fail(errors, f"pyarrow: {case['file']}: {md.num_rows} rows, expected {case['rows']}")
    if md.num_row_groups != case["row_groups"]:
        fail(errors, f"pyarrow: {case['file']}: {md.num_row_groups} row groups, expected {case['row_groups']}")
    if not (md.created_by or "").startswith("canp version"):
        fail(errors, f"pyarrow: {case['file']}: created_by {md.created_by!r}")
    kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
    for k, v in case["key_value"].items():
        if kv.get(k) != v:
            fail(errors, f"pyarrow: {case['file']}: key/value {k} = {kv.get(k)!r}, expected {v!r}")
    schema = pf.schema
    for i, c in enumerate(case["columns"]):
        s = schema.column(i)
        if s.name != c["name"] or s.physical_type != c["type"]:
            fail(errors, f"pyarrow: {case['file']}: column {i} is {s.name} {s.physical_type}, expected {c['name']} {c['type']}")
        if s.max_definition_level != (1 if c["optional"] else 0):
            fail(errors, f"pyarrow: {case['file']}.{c['name']}: max definition level {s.max_definition_level}")
        logical = json.loads(s.logical_type.to_json()) if s.logical_type.type != "NONE" else {"Type": "None"}
        want = {"none": "None", "string": "String", "timestamp": "Timestamp"}[c["logical"]]
        if logical["Type"] != want:
            fail(errors, f"pyarrow: {case['file']}.{c['name']}: logical type {logical}, expected {want}")
        if want == "Timestamp" and (logical.get("isAdjustedToUTC") is not True or logical.get("timeUnit") != "microseconds"):
            fail(errors, f"pyarrow: {case['file']}.{c['name']}: timestamp annotation {logical}")

    start = 0
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        rows = rg.num_rows
        for i, c in enumerate(case["columns"]):
            chunk = rg.column(i)
            if chunk.compression != case["codec"]:
                fail(errors, f"pyarrow: {case['file']}.{c['name']} row group {g}: codec {chunk.compression}, expected {case['codec']}")
            if c["encoding"] not in chunk.encodings:
                fail(errors, f"pyarrow: {case['file']}.{c['name']} row group {g}: encodings {chunk.encodings}, expected {c['encoding']}")
            part = columns[c["name"]][start:start + rows]
            stats = chunk.statistics
            if stats is None:
                fail(errors, f"pyarrow: {case['file']}.{c['name']} row group {g}: no statistics")
                continue
            nulls = sum(v is None for v in part)
            if stats.null_count != nulls:
                fail(errors, f"pyarrow: {case['file']}.{c['name']} row group {g}: null_count {stats.null_count}, expected {nulls}")
            present = [v for v in part if v is not None and not (isinstance(v, float) and math.isnan(v))]
            if c["statistics"] and present:
                lo, hi = min(present), max(present)
                if not stats.has_min_max:
                    fail(errors, f"pyarrow: {case['file']}.{c['name']} row group {g}: no min/max")
                else:
                    got_lo, got_hi = stats.min_raw, stats.max_raw
                    if isinstance(got_lo, str):
                        got_lo, got_hi = got_lo.encode(), got_hi.encode()
                    if isinstance(lo, str):
                        lo, hi = lo.encode(), hi.encode()
                    if not (got_lo == lo and got_hi == hi):
                        fail(errors, f"pyarrow: {case['file']}.{c['name']} row group {g}: min/max {got_lo!r}/{got_hi!r}, expected {lo!r}/{hi!r}")
                    if isinstance(lo, float) and lo == 0 and math.copysign(1, got_lo) > 0:
                        fail(errors, f"pyarrow: {case['file']}.{c['name']} row group {g}: a zero minimum must be -0.0")
            elif stats.has_min_max and not c["statistics"]:
                fail(errors, f"pyarrow: {case['file']}.{c['name']} row group {g}: min/max written for a column without statistics")
        start += rows

    table = pq.read_table(path)
    for c in case["columns"]:
        col = table.column(c["name"])
        if c["logical"] == "timestamp":
            import pyarrow as pa
            if str(col.type) != "timestamp[us, tz=UTC]":
                fail(errors, f"pyarrow: {case['file']}.{c['name']}: type {col.type}")
            col = col.cast(pa.int64())
        actual = col.to_pylist()
        compare_column(errors, "pyarrow", case["file"], c["name"], columns[c["name"]], actual)


DUCKDB_TYPES = {("BOOLEAN", "none"): "BOOLEAN", ("INT32", "none"): "INTEGER", ("INT64", "none"): "BIGINT",
                ("DOUBLE", "none"): "DOUBLE", ("BYTE_ARRAY", "string"): "VARCHAR", ("BYTE_ARRAY", "none"): "BLOB",
                ("INT64", "timestamp"): "TIMESTAMP WITH TIME ZONE"}


def check_duckdb(errors, path, case, columns):
    import duckdb

    con = duckdb.connect()
    described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
    for (name, dtype, *_), c in zip(described, case["columns"]):
        want = DUCKDB_TYPES[(c["type"], c["logical"])]
        if name != c["name"] or dtype != want:
            fail(errors, f"duckdb: {case['file']}: column {name} {dtype}, expected {c['name']} {want}")
    select = ", ".join(f'epoch_us("{c["name"]}")' if c["logical"] == "timestamp" else f'"{c["name"]}"' for c in case["columns"])
    rows = con.execute(f"SELECT {select} FROM read_parquet(?)", [path]).fetchall()
    for i, c in enumerate(case["columns"]):
        compare_column(errors, "duckdb", case["file"], c["name"], columns[c["name"]], [r[i] for r in rows])


def check_polars(errors, path, case, columns):
    import polars as pl

    df = pl.read_parquet(path)
    want = {("BOOLEAN", "none"): pl.Boolean, ("INT32", "none"): pl.Int32, ("INT64", "none"): pl.Int64,
            ("DOUBLE", "none"): pl.Float64, ("BYTE_ARRAY", "string"): pl.String, ("BYTE_ARRAY", "none"): pl.Binary,
            ("INT64", "timestamp"): pl.Datetime("us", "UTC")}
    for c in case["columns"]:
        series = df[c["name"]]
        if series.dtype != want[(c["type"], c["logical"])]:
            fail(errors, f"polars: {case['file']}.{c['name']}: dtype {series.dtype}")
        if c["logical"] == "timestamp":
            series = series.cast(pl.Int64)
        compare_column(errors, "polars", case["file"], c["name"], columns[c["name"]], series.to_list())


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = sys.argv[1]
    try:
        import duckdb
        import polars
        import pyarrow
    except ImportError as error:
        print(f"parquet_roundtrip: {error}; scripts/setup installs pyarrow, duckdb and polars", file=sys.stderr)
        return 2
    with open(f"{directory}/cases.json") as handle:
        cases = json.load(handle)["cases"]
    errors = []
    for case in cases:
        path = f"{directory}/{case['file']}"
        columns = {c["name"]: [expected_value(v) for v in c["values"]] for c in case["columns"]}
        before = len(errors)
        for check in (check_pyarrow, check_duckdb, check_polars):
            try:
                check(errors, path, case, columns)
            except Exception as error:  # a reader that refuses the file is a failure, with its words
                fail(errors, f"{check.__name__[6:]}: {case['file']}: {type(error).__name__}: {error}")
        status = "ok" if len(errors) == before else "FAILED"
        print(f"{status:6s} {case['file']}: {case['rows']} rows, {case['row_groups']} row groups, {case['bytes']} bytes")
    for error in errors[:60]:
        print("  " + error)
    print(f"checked {len(cases)} files with pyarrow {pyarrow.__version__}, duckdb {duckdb.__version__}, "
          f"polars {polars.__version__}: {'all agree' if not errors else f'{len(errors)} problems'}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
