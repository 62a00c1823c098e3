#!/usr/bin/env python3
"""Combines the outputs of scripts/bench into one Markdown report (stdout),
bench-out/results.json and the chart bench-out/throughput.png; with
--update-readme, replaces the README's performance section (between the
<!-- bench:begin --> and <!-- bench:end --> markers) with the report."""
import json, os, re, sys


def parse_package_benchmark(path):
    """p50 of the wall-clock metric of each benchmark in package-benchmark's text output,
    in nanoseconds (per scaled unit where the benchmark scales)."""
    results = {}
    if not os.path.exists(path):
        return results
    name = None
    factors = {"ns": 1, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line and not line.startswith(("│", "╒", "╞", "╘", "├", "└", "┌", "=", " ")) and "│" not in line and "─" not in line:
            name = line.strip()
            continue
        m = re.match(r"│ Time \(wall clock\) \((\w+)\) \*? *│(.*)", line)
        if m and name:
            unit = m.group(1)
            cells = [c.strip() for c in m.group(2).split("│") if c.strip()]
            try:
                p50 = float(cells[2].replace(",", ""))
            except (IndexError, ValueError):
                continue
            results[name] = p50 * factors.get(unit, 1)
    return results


def ratio(a, b):
    return a / b if a and b else None


def main():
    out = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else "bench-out"
    update = "--update-readme" in sys.argv
    pipeline = json.load(open(os.path.join(out, "pipeline.json")))
    peer = json.load(open(os.path.join(out, "peer.json"))) if os.path.exists(os.path.join(out, "peer.json")) else None
    memory = parse_package_benchmark(os.path.join(out, "memory-pool.txt"))
    threads = parse_package_benchmark(os.path.join(out, "thread-pool.txt"))

    lines = []
    lines.append(f"Measured with `scripts/bench` on {pipeline['machine']}.")
    lines.append("")
    lines.append(f"**Pipeline** ({pipeline['files']} files, {pipeline['fileBytes'] / 1e6:.0f} MB compressed, "
                 f"{pipeline['blocks']} blocks, {pipeline['frames']:,} frames, {pipeline['signals']:,} signals; "
                 "median of the timed runs after a warm-up; every stage reads the files from the page cache "
                 "into pool memory with io_uring and scans the Record0 headers, so the libdeflate inflate "
                 "stage is the limit of this workload on this machine):")
    lines.append("")
    lines.append("| stage | threads | MB/s compressed | M frames/s | M signals/s | vs libdeflate inflate | vs 1 thread | vs Python peer | spread |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    peer_rate = peer["compressed_mb_per_s"] if peer else None
    for row in pipeline["rows"]:
        frames = f"{row['framesPerSecond'] / 1e6:.2f}" if row["framesPerSecond"] else ""
        signals = f"{row['signalsPerSecond'] / 1e6:.1f}" if row["signalsPerSecond"] else ""
        vs_inflate = f"{row['ratioToInflate'] * 100:.0f}%" if row.get("ratioToInflate") else ""
        vs_one = f"{row['scalingToOneThread']:.2f}x" if row.get("scalingToOneThread") else ""
        vs_peer = f"{row['compressedMBps'] / peer_rate:.0f}x" if peer_rate and row["stage"] in ("signals", "signals-bound", "csv") else ""
        lines.append(f"| {row['stage']} | {row['threads']} | {row['compressedMBps']:.1f} | {frames} | {signals} | "
                     f"{vs_inflate} | {vs_one} | {vs_peer} | {row['spreadPercent']:.1f}% |")
    if peer:
        lines.append(f"| Python peer ({peer['peer']}) | 1 | {peer['compressed_mb_per_s']:.2f} | "
                     f"{peer['frames_per_s'] / 1e6:.2f} | {peer['signals_per_s'] / 1e6:.2f} | | | 1x | |")
    arrow = json.load(open(os.path.join(out, "pyarrow.json"))) if os.path.exists(os.path.join(out, "pyarrow.json")) else None
    parquet_rows = [r for r in pipeline["rows"] if r["stage"] == "parquet"]
    if arrow and parquet_rows:
        # The parquet stage (read, decode, encode, write with zstd) against pyarrow writing the same
        # tables from memory on one thread (wall time, best of the repetitions); sizes of the outputs.
        import glob
        ours = sum(os.path.getsize(p) for p in glob.glob(os.path.join(out, "parquet", "**", "part-*.parquet"), recursive=True))
        inflate = {r["threads"]: r["medianSeconds"] for r in pipeline["rows"] if r["stage"] == "inflate"}
        lines.append("")
        lines.append(f"**Parquet** (the parquet stage: read, decode, encode and write every table of spec/PARQUET.md with "
                     f"zstd; against pyarrow {arrow['pyarrow']} writing the same tables from memory with "
                     "`pyarrow.parquet.write_table`, one thread, zstd; fastest setup: dictionary for the string "
                     "columns only and DELTA_BINARY_PACKED for block, timestamp and timestamp_ns; smallest: "
                     "dictionary everywhere else; >1: canp faster or smaller):")
        lines.append("")
        lines.append("| | threads | seconds | vs libdeflate inflate (time) | pyarrow fastest time / this | output bytes | bytes per input byte | pyarrow smallest bytes / this |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for row in parquet_rows:
            t = row["medianSeconds"]
            lines.append(f"| canp parquet stage | {row['threads']} | {t:.3f} | {t / inflate[row['threads']]:.2f}x | "
                         f"{arrow['fastest']['wall_seconds'] / t:.2f} | {ours:,} | {ours / pipeline['fileBytes']:.2f} | "
                         f"{arrow['smallest']['bytes'] / ours:.3f} |")
        for setup in ("fastest", "smallest"):
            a = arrow[setup]
            lines.append(f"| pyarrow {setup} (write alone) | 1 | {a['wall_seconds']:.3f} | {a['wall_seconds'] / inflate[1]:.2f}x | | "
                         f"{a['bytes']:,} | {a['bytes'] / pipeline['fileBytes']:.2f} | |")
    load = lambda name: json.load(open(os.path.join(out, name))) if os.path.exists(os.path.join(out, name)) else None
    blf, blf_peer = load("blf.json"), load("blf-peer.json")
    candump, candump_peer = load("candump.json"), load("candump-peer.json")
    if blf:
        # The same traffic as Vector BLF: the ratio to libdeflate inflating the same containers alone,
        # and to python-can's BLFReader + cantools per core (frames/s per thread over the peer's).
        lines.append("")
        lines.append(f"**Vector BLF input** (`canp bench --format blf`: {blf['files']} files written by `canp generate "
                     f"--format blf`, {blf['fileBytes'] / 1e6:.0f} MB compressed, {blf['blocks']} containers, "
                     f"{blf['frames']:,} frames, {blf['signals']:,} signals; the inflate stage inflates the "
                     "containers with libdeflate alone; the peer is "
                     f"{blf_peer['peer'] if blf_peer else 'not run'} on the first {blf_peer['frames'] if blf_peer else 0:,} "
                     "frames of the first file, one process, CPU time):")
        lines.append("")
        lines.append("| stage | threads | MB/s compressed | M frames/s | M signals/s | vs libdeflate inflate | vs 1 thread | per core vs python-can + cantools | spread |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        peer_fps = blf_peer["frames_per_s"] if blf_peer else None
        for row in blf["rows"]:
            frames = f"{row['framesPerSecond'] / 1e6:.2f}" if row["framesPerSecond"] else ""
            signals = f"{row['signalsPerSecond'] / 1e6:.1f}" if row["signalsPerSecond"] else ""
            vs_inflate = f"{row['ratioToInflate'] * 100:.0f}%" if row.get("ratioToInflate") else ""
            vs_one = f"{row['scalingToOneThread']:.2f}x" if row.get("scalingToOneThread") else ""
            vs_peer = (f"{row['framesPerSecond'] / row['threads'] / peer_fps:.0f}x"
                       if peer_fps and row["stage"] == "signals" else "")
            lines.append(f"| {row['stage']} | {row['threads']} | {row['compressedMBps']:.1f} | {frames} | {signals} | "
                         f"{vs_inflate} | {vs_one} | {vs_peer} | {row['spreadPercent']:.1f}% |")
        if blf_peer:
            lines.append(f"| python-can BLFReader + cantools | 1 | {blf_peer['compressed_mb_per_s']:.2f} | "
                         f"{blf_peer['frames_per_s'] / 1e6:.3f} | {blf_peer['signals_per_s'] / 1e6:.2f} | | | 1x | |")
        full = [r for r in blf["rows"] if r["stage"] == "signals" and r.get("ratioToInflate")]
        if full:
            worst = min(r["ratioToInflate"] for r in full)
            per_core = min(r["framesPerSecond"] / r["threads"] for r in full) / peer_fps if peer_fps else None
            lines.append("")
            lines.append(f"Targets: BLF full decode at least 60% of libdeflate inflate: {worst * 100:.0f}% at worst "
                         f"({'met' if worst >= 0.6 else 'NOT met'})" +
                         (f"; at least 50x python-can + cantools per core: {per_core:.0f}x at worst "
                          f"({'met' if per_core >= 50 else 'NOT met'})." if per_core else "."))
    if candump:
        lines.append("")
        peer_fps = candump_peer["frames_per_s"] if candump_peer else None
        lines.append(f"**candump input** (`canp bench --format candump`: {candump['files']} logs, {candump['fileBytes'] / 1e6:.0f} MB, "
                     f"{candump['frames']:,} frames; the peer is {candump_peer['peer'] if candump_peer else 'not run'} "
                     f"on the first {candump_peer['frames'] if candump_peer else 0:,} frames of the first, CPU time):")
        lines.append("")
        lines.append("| stage | threads | MB/s of text | M frames/s | M frames/s per core | per core vs python-can + cantools | vs 1 thread | spread |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for row in candump["rows"]:
            per_core = row["framesPerSecond"] / row["threads"]
            vs_peer = f"{per_core / peer_fps:.1f}x" if peer_fps else ""
            vs_one = f"{row['scalingToOneThread']:.2f}x" if row.get("scalingToOneThread") else ""
            lines.append(f"| {row['stage']} | {row['threads']} | {row['compressedMBps']:.1f} | {row['framesPerSecond'] / 1e6:.2f} | "
                         f"{per_core / 1e6:.2f} | {vs_peer} | {vs_one} | {row['spreadPercent']:.1f}% |")
        if candump_peer:
            lines.append(f"| python-can CanutilsLogReader + cantools | 1 | | {peer_fps / 1e6:.3f} | {peer_fps / 1e6:.3f} | 1x | | |")

    m = pipeline.get("memory")
    if m:
        lines.append("")
        lines.append(f"**Memory bound**: {m['inputs']} inputs ({m['compressedBytes'] / 1e6:.0f} MB) decoded with a pool limit of "
                     f"{m['poolLimitBytes'] >> 20} MiB: peak pool {m['peakPoolBytes'] / 1e6:.1f} MB, peak resident "
                     f"{m['peakResidentBytes'] / 1e6:.1f} MB (limit + 100 MB = {m['allowedResidentBytes'] / 1e6:.0f} MB): "
                     f"{'within' if m['passed'] else 'ABOVE'}.")
    m = pipeline.get("memoryParquet")
    if m:
        lines.append("")
        lines.append(f"**Memory bound, Parquet output**: the same {m['inputs']} inputs written to Parquet (every table, zstd) "
                     f"with a pool limit of {m['poolLimitBytes'] >> 20} MiB: peak pool {m['peakPoolBytes'] / 1e6:.1f} MB, peak "
                     f"resident {m['peakResidentBytes'] / 1e6:.1f} MB (limit + 100 MB = {m['allowedResidentBytes'] / 1e6:.0f} MB): "
                     f"{'within' if m['passed'] else 'ABOVE'}.")

    if memory:
        lines.append("")
        lines.append("**Memory pool**: allocate+release pairs over the tiers 512-8192 (window of 8 live blocks), "
                     "1M pairs per thread, ns per pair (p50), against jemalloc `mallocx`/`sdallocx` (thread cache) "
                     "and glibc `malloc`/`free` in the same run:")
        lines.append("")
        lines.append("| threads | canp pool | jemalloc | glibc | jemalloc / pool (>1: pool faster) | glibc / pool |")
        lines.append("|---:|---:|---:|---:|---:|---:|")
        for t in (1, 2):
            pool = memory.get(f"pairs canp pool, {t} thread(s)")
            je = memory.get(f"pairs jemalloc mallocx, {t} thread(s)")
            gl = memory.get(f"pairs glibc malloc, {t} thread(s)")
            per = lambda v: f"{v / 1e6:.1f}" if v else "?"   # ms per 1M pairs = ns per pair
            r1 = ratio(je, pool)
            r2 = ratio(gl, pool)
            lines.append(f"| {t} | {per(pool)} | {per(je)} | {per(gl)} | {r1:.2f} | {r2:.2f} |" if r1 and r2
                         else f"| {t} | {per(pool)} | {per(je)} | {per(gl)} | | |")
        swift = memory.get("pairs Swift MemoryBlock, 1 thread")
        if swift:
            lines.append(f"\nThrough the Swift `MemoryBlock` API (allocate, append a byte, release): {swift / 1e6:.1f} ns per pair.")

    if threads:
        def group(title, unit_note, prefix, reference, short, show, note=""):
            rows = [(name, value) for name, value in threads.items() if name.startswith(prefix)]
            ref = threads.get(reference)
            if not rows:
                return
            lines.append("")
            lines.append(f"**{title}** ({unit_note}; p50, peers in the same run){note}:")
            lines.append("")
            lines.append(f"| {prefix.strip(' :')} | p50 | time ÷ time of {short} (>1: slower than it) |")
            lines.append("|---|---:|---:|")
            for name, value in sorted(rows, key=lambda r: r[1]):
                r = ratio(value, ref)
                label = name[len(prefix):].strip(" :")
                lines.append(f"| {label} | {show(value)} | {r:.2f} |" if r else f"| {label} | {show(value)} | |")

        tiny_ref = "tiny tasks: PipelineThreadPool.submitCPUTask"
        group("Thread pool, per-task overhead", "1,000 empty tasks per measurement, 2 CPU workers, ns per task",
              "tiny tasks:", tiny_ref, "submitCPUTask", lambda v: f"{v:.0f} ns",
              note="; `concurrentPerform` is one closure applied n times, not a queue of tasks")
        group("Thread pool, parallel map", "1,000,000 items, ms", "map 1M:",
              "map 1M: PipelineThreadPool.parallelProcess", "parallelProcess", lambda v: f"{v / 1e6:.2f} ms")
        group("File reads", "16 files of 15 MB from the page cache, ms and GB/s", "read 16 x 15 MB:",
              "read 16 x 15 MB: io_uring (FileReader)", "FileReader on io_uring", lambda v: f"{v / 1e6:.1f} ms ({16 * 15e6 / (v / 1e9) / 1e9:.1f} GB/s)",
              note="; `mmap + touch` maps the pages without copying them; the `readFiles` rows include "
                   "allocating the 15 MB pool blocks")
        tiny = threads.get(tiny_ref)
        uring = threads.get("read 16 x 15 MB: io_uring (FileReader)")
        pread = threads.get("read 16 x 15 MB: pread backend (FileReader)")
        raw = threads.get("read 16 x 15 MB: raw pread loop")
        if tiny and uring and pread and raw:
            lines.append("")
            lines.append(f"Targets: task overhead under 1 µs: {tiny:.0f} ns per `submitCPUTask` "
                         f"({'met' if tiny < 1000 else 'NOT met'}); io_uring reads at least as fast as pread: "
                         f"{pread / uring:.2f}x the pread backend and {raw / uring:.2f}x a raw pread loop "
                         f"({'met' if uring <= min(pread, raw) else 'NOT met'}).")

    report = "\n".join(lines)
    print(report)
    json.dump({"pipeline": pipeline, "peer": peer, "pyarrow": arrow, "blf": blf, "blfPeer": blf_peer,
               "candump": candump, "candumpPeer": candump_peer, "memoryPool": memory, "threadPool": threads},
              open(os.path.join(out, "results.json"), "w"), indent=2)

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        stages = []
        for row in pipeline["rows"]:
            if row["stage"] not in stages:
                stages.append(row["stage"])
        counts = sorted({row["threads"] for row in pipeline["rows"]})
        fig, ax = plt.subplots(figsize=(9, 4.5))
        width = 0.8 / max(len(counts), 1)
        for k, t in enumerate(counts):
            values = [next((r["compressedMBps"] for r in pipeline["rows"] if r["stage"] == s and r["threads"] == t), 0) for s in stages]
            ax.bar([i + k * width for i in range(len(stages))], values, width, label=f"{t} thread(s)")
        if peer:
            ax.axhline(peer["compressed_mb_per_s"], color="gray", linestyle="--", label="Python peer (cantools)")
        ax.set_xticks([i + width * (len(counts) - 1) / 2 for i in range(len(stages))])
        ax.set_xticklabels(stages)
        ax.set_ylabel("MB/s of compressed input")
        ax.set_title("CANP throughput by stage and thread count")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, "throughput.png"), dpi=110)
        print(f"\nchart: {os.path.join(out, 'throughput.png')}", file=sys.stderr)
    except ImportError:
        print("chart skipped: matplotlib is not installed (scripts/setup --bench installs it)", file=sys.stderr)

    if update:
        readme = open("README.md", encoding="utf-8").read()
        begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
        if begin in readme and end in readme:
            head, rest = readme.split(begin, 1)
            _, tail = rest.split(end, 1)
            open("README.md", "w", encoding="utf-8").write(head + begin + "\n" + report + "\n" + end + tail)
            os.makedirs("docs", exist_ok=True)
            import shutil
            shutil.copy(os.path.join(out, "throughput.png"), os.path.join("docs", "throughput.png"))
            print("README.md performance section updated; chart copied to docs/throughput.png", file=sys.stderr)
        else:
            print("README.md has no bench markers; not updated", file=sys.stderr)


if __name__ == "__main__":
    main()
