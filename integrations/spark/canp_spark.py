#!/usr/bin/env python3
"""CANP as a Spark job: one `canp process` per part, exactly one copy of every part.

    spark-submit integrations/spark/canp_spark.py --canp BIN --dbc DBC --out DIR --parts N INPUT...

INPUTs are files or directories (a directory contributes its files with the
extensions of --extensions, not recursing). The driver lists them, balances
them into N parts by size (largest first, each to the part with the fewest
bytes so far; each part's files then in path order), ships the binary and the
DBC to the executors (SparkContext.addFile / SparkFiles), and runs one Spark
task per part: the task writes its part's manifest into its own scratch
directory and runs

    canp process --files-from MANIFEST --part K --format parquet --out DIR --dbc DBC

The parts land in DIR in the layout of spec/PARQUET.md. The driver collects
the tasks' results, runs `canp summary merge DIR --parts N` (which fails
naming any missing or incomplete part), so DIR/_canp/summary.json holds the
counts of the whole job, and then writes the marker DIR/_SUCCESS.

Exactly one copy of every part under task retries: a part's files have fixed
names (part-K.parquet), every file is written under a temporary name and
renamed into place, and a run of part K first removes the part's summary and
the temporary files earlier attempts of part K left (canp holds a lock of the
part meanwhile, DIR/.canp-part-K.lock). A retried or speculative attempt
therefore replaces the part; it can never add a second copy. canp is started
with PR_SET_PDEATHSIG, so it dies with the Python worker that runs it.

DIR must be a POSIX directory that every executor and the driver see at the
same path (local disk in local mode; NFS, Lustre, EFS, a FUSE mount on a
cluster): canp writes files, not object-store keys.

Options beyond the contract: --threads (canp's CPU threads per task, default
spark.task.cpus), --compression, --extensions, --tables (register frames,
errors and signals_MESSAGE with spark.read.parquet and print their row counts),
--timings FILE (per-task times as JSON, for the overhead measurement).

Test hook (for scripts/spark_test, not for production): with the environment
variable CANP_SPARK_TEST_KILL_PART=K, attempt 0 of part K kills its canp with
SIGKILL while canp is writing the part, and fails the task, so that Spark
retries it.
"""
import argparse
import ctypes
import heapq
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

KILL_HOOK = "CANP_SPARK_TEST_KILL_PART"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="canp_spark.py", description="Run canp process as a Spark job, one task per part.")
    p.add_argument("--canp", required=True, help="the canp binary (scripts/build-static builds one that needs only glibc)")
    p.add_argument("--dbc", required=True, help="the DBC file")
    p.add_argument("--out", required=True, help="the output directory, seen at this path by the driver and every executor")
    p.add_argument("--parts", required=True, type=int, help="the number of parts (Spark tasks)")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or directories")
    p.add_argument("--threads", type=int, default=None, help="canp --threads per task (default: spark.task.cpus)")
    p.add_argument("--compression", default="zstd", help="canp --compression")
    p.add_argument("--extensions", default="blf,log,asc,bin",
                   help="extensions taken from directories, comma-separated (default blf,log,asc,bin: those canp reads from a directory)")
    p.add_argument("--tables", action="store_true", help="register the tables with spark.read.parquet and print their row counts")
    p.add_argument("--timings", help="write the tasks' times (JSON) to this file")
    args = p.parse_args(argv)
    if not 1 <= args.parts <= 100_000:
        p.error(f"--parts must be in 1..100000, not {args.parts}")
    return args


def list_inputs(inputs, extensions):
    """(path bytes, size) of every file, sorted by path bytes, as canp sorts them."""
    suffixes = tuple("." + e.lower().lstrip(".") for e in extensions.split(",") if e)
    found = []
    for given in inputs:
        path = os.fsencode(given)
        if os.path.isdir(path):
            for entry in os.scandir(path):
                name = entry.name
                if name.startswith(b".") or not name.lower().endswith(tuple(os.fsencode(s) for s in suffixes)):
                    continue
                found.append(os.path.join(path, name))
        elif os.path.exists(path):
            found.append(path)
        else:
            sys.exit(f"canp_spark: {given}: no such file or directory")
    files = sorted(set(found))
    if not files:
        sys.exit(f"canp_spark: no {'/'.join(suffixes)} files in {' '.join(inputs)}")
    return [(f, os.stat(f).st_size) for f in files]


def balance(files, parts):
    """Largest first to the lightest part (ties: the lower part); each part's files in path order."""
    shares = [[] for _ in range(parts)]
    loads = [0] * parts
    lightest = [(0, k) for k in range(parts)]   # a heap of (bytes, part): O(files log parts)
    for path, size in sorted(files, key=lambda f: (-f[1], f[0])):
        load, k = heapq.heappop(lightest)
        shares[k].append(path)
        loads[k] = load + size
        heapq.heappush(lightest, (loads[k], k))
    return [sorted(s) for s in shares], loads


def die_with_parent():
    """In the child before exec: SIGKILL when the Python worker that started canp dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def temporary_files(out, part):
    stems = (f".part-{part:05d}.parquet.", f".summary-{part:05d}.json.")
    found = []
    for folder, _, names in os.walk(out):
        found += [os.path.join(folder, n) for n in names if n.startswith(stems) and n.endswith(".canp-partial")]
    return found


def run_part(part, paths, conf):
    """One Spark task: canp process of the part's files into part `part` of the output."""
    from pyspark import SparkFiles, TaskContext
    started = time.time()
    context = TaskContext.get()
    attempt = context.attemptNumber() if context else 0
    canp = SparkFiles.get(conf["canp_name"])
    dbc = SparkFiles.get(conf["dbc_name"])
    if not os.access(canp, os.X_OK):
        os.chmod(canp, 0o755)
    scratch = tempfile.mkdtemp(prefix=f"canp-part-{part:05d}-")
    try:
        manifest = os.path.join(scratch, "inputs.txt")
        with open(manifest, "wb") as f:
            f.write(b"".join(p + b"\n" for p in paths))
        command = [canp, "process", "--files-from", manifest, "--part", str(part), "--format", "parquet",
                   "--out", conf["out"], "--dbc", dbc, "--compression", conf["compression"], "--quiet",
                   "--threads", str(conf["threads"])]
        log = os.path.join(scratch, "canp.log")
        with open(log, "wb") as output:
            spawned = time.time()
            child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
            hooked = maybe_kill_for_test(child, part, attempt, conf)
            rc = child.wait()
            finished = time.time()
        if hooked is not None:
            raise RuntimeError(f"canp_spark test hook: killed canp of part {part} on attempt {attempt} "
                               f"with {hooked} temporary file(s) of the part in place")
        if rc not in (0, 3):   # 3: some inputs unreadable; the part is complete and its summary names them
            tail = open(log, "rb").read()[-2000:].decode("utf-8", "replace")
            raise RuntimeError(f"canp process of part {part} (attempt {attempt}) exited with {rc}:\n{tail}")
        summary = open(os.path.join(conf["out"], "_canp", f"summary-{part:05d}.json"), "rb").read().decode()
        return [{"part": part, "attempt": attempt, "files": len(paths), "rc": rc, "summary": summary,
                 "task_seconds": time.time() - started, "canp_seconds": finished - spawned,
                 "canp_wall_seconds": json.loads(summary)["wall_seconds"], "host": os.uname().nodename}]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def maybe_kill_for_test(child, part, attempt, conf):
    """The test hook: on attempt 0 of part $CANP_SPARK_TEST_KILL_PART, SIGKILL canp once it
    is writing (a temporary file of the part exists). Returns how many temporary files of
    the part were left, or None when the hook does not apply."""
    out = conf["out"]
    if conf["kill_part"] != part or attempt != 0:
        return None
    deadline = time.time() + 120
    while child.poll() is None and not temporary_files(out, part) and time.time() < deadline:
        time.sleep(0.005)
    child.kill()
    child.wait()
    return len(temporary_files(out, part))


def remove_stale_markers(out):
    """A rerun of the job: the old marker and merged summary are not true any more."""
    for stale in (os.path.join(out, "_SUCCESS"), os.path.join(out, "_canp", "summary.json")):
        try:
            os.unlink(stale)
        except FileNotFoundError:
            pass


def write_marker(path):
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix="._SUCCESS.")
    os.fsync(handle)
    os.close(handle)
    os.chmod(temporary, 0o644)
    os.rename(temporary, path)


def register_tables(spark, out):
    """frames, errors and signals_MESSAGE as temporary views; prints their row counts."""
    names = {"frames": "frames", "errors": "errors"}
    signals = os.path.join(out, "signals")
    if os.path.isdir(signals):
        for message in sorted(os.listdir(signals)):
            if not message.startswith((".", "_")):
                names["signals/" + message] = "signals_" + message.replace("%", "_").replace("-", "_")
    counts = {}
    for table, view in names.items():
        spark.read.parquet(os.path.join(out, table)).createOrReplaceTempView(view)
        counts[table] = spark.table(view).count()
        print(f"canp_spark: table {view}: {counts[table]} rows")
    return counts


def main(argv):
    args = parse_args(argv)
    from pyspark.sql import SparkSession
    files = list_inputs(args.inputs, args.extensions)
    shares, loads = balance(files, args.parts)
    out = os.path.abspath(args.out)
    os.makedirs(os.path.join(out, "_canp"), exist_ok=True)
    remove_stale_markers(out)

    spark = SparkSession.builder.appName("canp").getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("WARN")
    sc.addFile(os.path.abspath(args.canp))
    sc.addFile(os.path.abspath(args.dbc))
    threads = args.threads or int(sc.getConf().get("spark.task.cpus", "1"))
    conf = {"canp_name": os.path.basename(args.canp), "dbc_name": os.path.basename(args.dbc), "out": out,
            "compression": args.compression, "threads": threads,
            "kill_part": int(os.environ[KILL_HOOK]) if os.environ.get(KILL_HOOK) else None}
    print(f"canp_spark: {len(files)} files, {sum(s for _, s in files)} bytes in {args.parts} parts "
          f"(largest {max(loads)} bytes, smallest {min(loads)}), {threads} canp thread(s) per task", flush=True)

    started = time.time()
    work = sc.parallelize(list(enumerate(shares)), args.parts)
    results = work.mapPartitions(lambda items: [r for part, paths in items for r in run_part(part, paths, conf)]).collect()
    stage_seconds = time.time() - started
    results.sort(key=lambda r: r["part"])
    retried = [r["part"] for r in results if r["attempt"] > 0]
    print(f"canp_spark: {len(results)} tasks in {stage_seconds:.2f} s"
          + (f"; parts retried: {retried}" if retried else ""), flush=True)

    merge = subprocess.run([os.path.abspath(args.canp), "summary", "merge", out, "--parts", str(args.parts)],
                           capture_output=True, text=True)
    sys.stdout.write(merge.stdout)
    if merge.returncode != 0:
        sys.stderr.write(merge.stderr)
        spark.stop()
        sys.exit(f"canp_spark: the parts do not merge: no {out}/_SUCCESS")
    write_marker(os.path.join(out, "_SUCCESS"))
    merged = json.load(open(os.path.join(out, "_canp", "summary.json")))
    for entry in merged["unreadable_files"]:
        print(f"canp_spark: warning: {entry['path']}: cannot be read: {entry['reason']}")
    print(f"canp_spark: wrote {out}/_SUCCESS: {merged['counts']['files']} files, {merged['counts']['frames']} frames, "
          f"{merged['counts']['signals']} signals, {sum(merged['counts']['skipped_units'].values())} skipped units")
    if args.timings:
        with open(args.timings, "w") as f:
            json.dump({"parts": args.parts, "files": len(files), "stage_seconds": stage_seconds,
                       "tasks": [{k: v for k, v in r.items() if k != "summary"} for r in results]}, f, indent=1)
    if args.tables:
        register_tables(spark, out)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
