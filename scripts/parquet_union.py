#!/usr/bin/env python3
"""Compares the Parquet output of a sharded job with a single run of the same
files, with DuckDB as the oracle:

    scripts/parquet_union.py PARTS_DIR SINGLE_DIR [--parts N]

For every table (frames, errors, signals/MESSAGE) the union of the parts'
files (PARTS_DIR/TABLE/part-*.parquet) must equal the single run's
(SINGLE_DIR/TABLE/part-00000.parquet) row for row: EXCEPT ALL in both
directions is empty and the counts are equal. Also: the two directories have
the same tables; each input file's frames are in exactly one part; no
temporary file (*.canp-partial) is left; with --parts N, the part files are
exactly parts 0..N-1; the merged summary (PARTS_DIR/_canp/summary.json) has
the counts of the single run's summary. Prints one line per table and exits 1
naming every difference."""
import glob, json, os, re, sys

import duckdb


def tables(directory):
    found = set()
    for path in glob.glob(f"{directory}/**/part-*.parquet", recursive=True):
        found.add(os.path.relpath(os.path.dirname(path), directory))
    return found


def compare_table(con, table, parts_dir, single_dir):
    parts = f"{parts_dir}/{table}/part-*.parquet"
    single = f"{single_dir}/{table}/part-00000.parquet"
    a = f"read_parquet('{parts}', union_by_name = true)"
    b = f"read_parquet('{single}')"
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {b}").fetchall()]
    parts_cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {a}").fetchall()]
    problems = []
    if sorted(cols) != sorted(parts_cols):
        problems.append(f"{table}: columns differ: {parts_cols} vs {cols}")
        return problems, 0
    select = ", ".join(f'"{c}"' for c in cols)
    only_parts = con.execute(f"SELECT count(*) FROM (SELECT {select} FROM {a} EXCEPT ALL SELECT {select} FROM {b})").fetchone()[0]
    only_single = con.execute(f"SELECT count(*) FROM (SELECT {select} FROM {b} EXCEPT ALL SELECT {select} FROM {a})").fetchone()[0]
    n_parts = con.execute(f"SELECT count(*) FROM {a}").fetchone()[0]
    n_single = con.execute(f"SELECT count(*) FROM {b}").fetchone()[0]
    if only_parts or only_single or n_parts != n_single:
        problems.append(f"{table}: {only_parts} row(s) only in the parts, {only_single} only in the single run, "
                        f"counts {n_parts} vs {n_single}")
    return problems, n_single


def main():
    args = sys.argv[1:]
    expected_parts = None
    if "--parts" in args:
        i = args.index("--parts")
        expected_parts = int(args[i + 1])
        del args[i:i + 2]
    parts_dir, single_dir = args
    con = duckdb.connect()
    problems = []
    mine, theirs = tables(parts_dir), tables(single_dir)
    for t in sorted(mine ^ theirs):
        problems.append(f"table {t} is in {'the parts' if t in mine else 'the single run'} only")
    for table in sorted(mine & theirs):
        found, rows = compare_table(con, table, parts_dir, single_dir)
        problems += found
        print(f"  {table}: {rows} rows, {'equal' if not found else 'DIFFERENT'}")
    # Each input file's frames come from one part only (a retried part is not there twice).
    spread = con.execute(
        f"SELECT file, count(DISTINCT filename) FROM read_parquet('{parts_dir}/frames/part-*.parquet', filename = true) "
        "GROUP BY file HAVING count(DISTINCT filename) > 1").fetchall()
    for file, n in spread:
        problems.append(f"frames of {file} are in {n} parts")
    partials = glob.glob(f"{parts_dir}/**/.*.canp-partial", recursive=True)
    if partials:
        problems.append(f"{len(partials)} temporary file(s) left, e.g. {partials[0]}")
    if expected_parts is not None:
        numbers = {int(m.group(1)) for p in glob.glob(f"{parts_dir}/**/part-*.parquet", recursive=True)
                   if (m := re.search(r"part-(\d{5})\.parquet$", p))}
        if not numbers <= set(range(expected_parts)):
            problems.append(f"part files outside 0..{expected_parts - 1}: {sorted(numbers - set(range(expected_parts)))}")
        frames_parts = len(glob.glob(f"{parts_dir}/frames/part-*.parquet"))
        if frames_parts != expected_parts:
            problems.append(f"{frames_parts} frames part files, expected {expected_parts}")
    merged_path = f"{parts_dir}/_canp/summary.json"
    if not os.path.exists(merged_path):
        problems.append("no merged summary _canp/summary.json")
    else:
        merged = json.load(open(merged_path))
        single = json.load(open(f"{single_dir}/_canp/summary-00000.json"))
        for key in ("counts", "bytes_read", "rows_written"):
            if merged[key] != single[key]:
                problems.append(f"merged summary: {key} {merged[key]} != the single run's {single[key]}")
        if sorted(i["path"] for i in merged["inputs"]) != sorted(i["path"] for i in single["inputs"]):
            problems.append("merged summary: the inputs differ from the single run's")
        if expected_parts is not None and merged.get("parts") != expected_parts:
            problems.append(f"merged summary: parts {merged.get('parts')} != {expected_parts}")
        missing = set(single) - set(merged)
        if missing:
            problems.append(f"merged summary lacks keys {sorted(missing)}")
        print(f"  merged summary: {merged['counts']['files']} files, {merged['counts']['frames']} frames, "
              f"{merged['counts']['signals']} signals, parts {merged.get('parts')}")
    for p in problems:
        print("  DIFFERENCE: " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
