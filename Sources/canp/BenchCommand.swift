import ArgumentParser
import Canp
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure each stage of the pipeline against the libdeflate limit, on the same files, in one run.",
        discussion: """
            Generates the data once (kept in --data), then for each thread count runs the \
            pipeline of every stage on the same files, in interleaved rounds: one warm-up round, \
            then --repetitions timed rounds (the csv stage after the others: its writes keep the \
            kernel busy for a while); reports each stage's median and spread. Stages: inflate (libdeflate alone: the physical \
            limit), inflate-zlib, walk (layers 1-3), frames, signals (frames and all DBC signals \
            into memory), csv (the canonical exports written), parquet (the Parquet tables written \
            with zstd). Ratios are to the libdeflate \
            inflate at the same thread count, and to one thread. signals-bound is the signals stage \
            with the sample DBC split into three DBCs bound to the three channels its traffic is \
            sent on (0: classic 11-bit, 1: CAN FD, 2: 29-bit, read as J1939): the same signals, \
            the cost of binding. Then a memory check: the signals \
            stage over --memory-files inputs (the files cycled) under --memory-limit, with the \
            peak resident memory of the process.
            """)

    @Option(name: .long, help: "Directory of the benchmark data (generated when missing).")
    var data = "bench-out/data"

    @Option(name: .long, help: "Files to generate and use.")
    var files = 8

    @Option(name: .long, help: "Format of the benchmark data: canp, blf, candump or asc, the same traffic in each (for BLF the inflate stage inflates the containers).")
    var format = "canp"

    @Option(name: .long, help: "Size of each file.")
    var fileSize = ByteSize(bytes: 15_000_000)

    @Option(name: .long, parsing: .upToNextOption, help: "Thread counts to measure (default: 1, 2 and the number of cores).")
    var threads: [Int] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Stages to measure.")
    var stages: [String] = ["inflate", "inflate-zlib", "walk", "frames", "signals", "signals-bound", "csv", "parquet"]

    @Option(name: .long, help: "Keep the parquet stage's last output in this directory (for the pyarrow peer).")
    var parquetOut: String?

    @Option(name: .long, help: "Timed runs per stage and thread count (after one warm-up run).")
    var repetitions = 3

    @Option(name: .long, help: "Inputs processed by the memory check (0 skips it).")
    var memoryFiles = 50

    @Option(name: .long, help: "Pool memory limit of the memory check.")
    var memoryLimit = ByteSize(bytes: 256 << 20)

    @Option(name: .long, help: ArgumentHelp(
        "What a run's time is: wall (elapsed) or cpu (the process's user and system time).",
        discussion: "cpu is steadier on a machine that other work shares (a slice taken by another process is not counted); with several threads it sums their time, so the scaling column then means work, not speed-up."))
    var clock: Clock = .wall

    enum Clock: String, ExpressibleByArgument, Codable { case wall, cpu }

    @Option(name: .long, help: "Frames of the message lookup micro-benchmark (0 skips it).")
    var lookupFrames = 1_000_000

    @Option(name: .long, help: "Write the results as JSON to this file.")
    var json: String?

    /// The DBCs of the signals and csv stages and the memory check (default: the sample DBC).
    @OptionGroup var dbcs: DBCOptions

    struct Row: Codable {
        var stage: String
        var threads: Int
        var seconds: [Double]
        var medianSeconds: Double
        var compressedMBps: Double
        var framesPerSecond: Double
        var signalsPerSecond: Double
        var spreadPercent: Double
        var ratioToInflate: Double?
        var scalingToOneThread: Double?
    }

    struct MemoryCheck: Codable {
        var inputs: Int
        var compressedBytes: Int
        var poolLimitBytes: Int
        var peakPoolBytes: Int
        var peakResidentBytes: Int
        var allowedResidentBytes: Int
        var passed: Bool
    }

    /// Nanoseconds per frame of `DBCDecoder.messageIndex`, each the median of the timed runs.
    struct LookupCheck: Codable {
        var frames: Int
        var runs: Int
        /// One DBC through the lookup without a channel (the pipeline's call before channels).
        var oneDatabaseWithoutChannel: Double
        /// One DBC, the frame's channel passed.
        var oneDatabase: Double
        /// The sample DBC split into three DBCs bound to channels 0, 1, 2.
        var threeBoundDatabases: Double
        /// The same, the 29-bit frames from random J1939 source addresses and priorities
        /// (found by their parameter group: the second probe).
        var threeBoundDatabasesOtherSources: Double
    }

    struct Results: Codable {
        var machine: String
        var cores: Int
        var files: Int
        var fileBytes: Int
        var blocks: Int
        var frames: Int
        var signals: Int
        var rows: [Row]
        var memory: MemoryCheck?
        /// The same check with every table written to Parquet (issue 13, acceptance 4).
        var memoryParquet: MemoryCheck?
        var lookup: LookupCheck?
        /// `wall` or `cpu` (see `--clock`).
        var clock: String = "wall"
    }

    func run() async throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threadCounts = threads.isEmpty ? Array(Set([1, 2, cores])).sorted() : threads
        let dataset = try prepareData()
        let sample = try CommandSupport.loadDatabase(data + "/" + SampleDatabase.fileName, command: "bench", quiet: true)
        let decoder = try dbcs.loadDecoder(command: "bench", quiet: true) ?? sample.compile()
        let boundDecoder = Self.channelSplit(sample)
        let inputs = dataset.map(\.path)
        let totalBytes = dataset.reduce(0) { $0 + $1.bytes }
        var rows: [Row] = []
        var totals = (blocks: 0, frames: 0, signals: 0)
        let scratch = NSTemporaryDirectory() + "canp-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // Stages are measured in interleaved rounds (every stage once per
        // round, for one thread count at a time), so that a slow spell of the
        // machine falls on all of them alike instead of on one stage's runs:
        // the ratios between stages are what the benchmark reports.
        struct Measured {
            var name: String
            var pipeline: CANPipeline
            var output: CANPipeline.Output
            var parquet: String?
            var seconds: [Double] = []
            var last = PipelineReport()
        }
        // The csv stage writes gigabytes that the kernel writes back for a
        // while afterwards: it runs after the in-memory stages, not between them.
        let writes = ["csv", "parquet"]
        let groups = [stages.filter { !writes.contains($0) }, stages.filter { writes.contains($0) }].filter { !$0.isEmpty }
        for (group, count) in groups.flatMap({ group in threadCounts.map { (group, $0) } }) {
            var measured: [Measured] = []
            for stageName in group {
                let writesCSV = stageName == "csv", bound = stageName == "signals-bound"
                let writesParquet = stageName == "parquet"
                guard let stage = writesCSV || bound || writesParquet ? .signals : PipelineStage(rawValue: stageName) else {
                    CommandSupport.error("bench", "unknown stage \(stageName); stages: \(PipelineStage.allCases.map(\.rawValue).joined(separator: ", ")), signals-bound, csv, parquet")
                    throw CommandSupport.fatal
                }
                var configuration = PipelineConfiguration()
                configuration.cpuThreads = count
                configuration.stage = stage
                measured.append(Measured(
                    name: stageName, pipeline: try makePipeline(configuration, decoder: bound ? boundDecoder : decoder),
                    output: writesCSV ? .csv(directory: scratch) : .none,
                    parquet: writesParquet ? (parquetOut ?? scratch + "/parquet") : nil))
            }
            for round in 0...repetitions {   // round 0 is the warm-up
                // Odd rounds run the stages in reverse: a stage that always ran right
                // after another (the inflate stage) measured a few points faster
                // (signals-bound after signals: 4 points slower, before it: 1 faster).
                for index in round % 2 == 0 ? Array(measured.indices) : measured.indices.reversed() {
                    let before = Self.processCPUSeconds()
                    let report = try await run(measured[index].pipeline, inputs, measured[index].output,
                                               parquet: measured[index].parquet)
                    let cpu = Self.processCPUSeconds() - before
                    if round > 0 { measured[index].seconds.append(clock == .cpu ? cpu : report.seconds) }
                    measured[index].last = report
                }
            }
            // Bound or not, the sample DBC decodes the same signals (else the comparison is void).
            if dbcs.isEmpty, let one = measured.first(where: { $0.name == "signals" }),
               let bound = measured.first(where: { $0.name == "signals-bound" }), one.last.signals != bound.last.signals {
                CommandSupport.error("bench", "signals-bound decoded \(bound.last.signals) signals, signals \(one.last.signals)")
                throw CommandSupport.fatal
            }
            for item in measured {
                let last = item.last
                if item.name == "signals" {
                    totals = (last.format.blocksDecoded, last.format.framesDecoded, last.signals)
                }
                let sorted = item.seconds.sorted()
                let median = sorted[sorted.count / 2]
                let spread = median > 0 ? (sorted.last! - sorted.first!) / median * 100 : 0
                rows.append(Row(
                    stage: item.name, threads: count, seconds: item.seconds, medianSeconds: median,
                    compressedMBps: Double(totalBytes) / 1e6 / median,
                    framesPerSecond: Double(last.format.framesDecoded) / median,
                    signalsPerSecond: Double(last.signals) / median, spreadPercent: spread))
                CommandSupport.note("bench: \(item.name) x\(count): median \(fixed(median, 3)) s, \(fixed(Double(totalBytes) / 1e6 / median, 1)) MB/s (spread \(fixed(spread, 1))%)")
            }
        }
        // Stage by stage in the tables, as the stages were given.
        rows.sort { a, b in
            let (i, j) = (stages.firstIndex(of: a.stage)!, stages.firstIndex(of: b.stage)!)
            return i != j ? i < j : a.threads < b.threads
        }
        for index in rows.indices {
            let row = rows[index]
            if let inflate = rows.first(where: { $0.stage == "inflate" && $0.threads == row.threads }) {
                rows[index].ratioToInflate = inflate.medianSeconds / row.medianSeconds
            }
            if let one = rows.first(where: { $0.stage == row.stage && $0.threads == 1 }) {
                rows[index].scalingToOneThread = one.medianSeconds / row.medianSeconds
            }
        }

        var memory: MemoryCheck?
        var memoryParquet: MemoryCheck?
        if memoryFiles > 0 {
            memory = try await memoryCheck(inputs: inputs, decoder: decoder, bytes: dataset.map(\.bytes))
            if stages.contains("parquet") {
                memoryParquet = try await memoryCheck(inputs: inputs, decoder: decoder, bytes: dataset.map(\.bytes),
                                                      parquet: scratch + "/memory-parquet")
                try? FileManager.default.removeItem(atPath: scratch + "/memory-parquet")
            }
        }
        let lookup = lookupFrames > 0 ? Self.lookupCheck(sample, frames: lookupFrames) : nil
        let results = Results(
            machine: Self.machine(), cores: cores, files: dataset.count, fileBytes: totalBytes, blocks: totals.blocks,
            frames: totals.frames, signals: totals.signals, rows: rows, memory: memory,
            memoryParquet: memoryParquet, lookup: lookup, clock: clock.rawValue)
        print(Self.markdown(results))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: URL(fileURLWithPath: json))
        }
    }

    /// The user and system time of the whole process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// This thread's CPU time in nanoseconds (the lookup loops run on it alone).
    static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Times `messageIndex` per frame over a synthetic stream with the sample
    /// traffic's mix: each message in proportion to its rate (1 / cycle time)
    /// on its channel, 1% unknown 11-bit ids.
    static func lookupCheck(_ database: DBCDatabase, frames count: Int) -> LookupCheck {
        let messages = database.messages.filter { $0.length > 0 }
        let rates = messages.map { 1.0 / Double(max($0.cycleTime ?? 100, 1)) }
        let total = rates.reduce(0, +)
        var random = SplitMix64(seed: 2026)
        var ids = [UInt32](repeating: 0x7DF, count: count), otherSources = ids
        var extended = [Bool](repeating: false, count: count), channels = [Int32](repeating: 0, count: count)
        for i in 0..<count where random.nextUnit() >= 0.01 {
            var pick = random.nextUnit() * total, index = 0
            while index < messages.count - 1 && pick >= rates[index] { pick -= rates[index]; index += 1 }
            let message = messages[index]
            ids[i] = message.id
            extended[i] = message.isExtended
            channels[i] = Int32(DatasetGenerator.channel(of: message))
            // Another priority and source address, the same parameter group.
            otherSources[i] = message.isExtended
                ? (message.id & 0x03FF_FF00) | UInt32(random.next() % 8) << 26 | UInt32(random.next() % 253) : message.id
        }
        let one = database.compile(), bound = channelSplit(database)
        func loop(_ decoder: DBCDecoder, _ ids: [UInt32], channel: Bool) -> Int {
            ids.withUnsafeBufferPointer { ids in
                extended.withUnsafeBufferPointer { extended in
                    channels.withUnsafeBufferPointer { channels in
                        var sum = 0
                        if channel {
                            for i in 0..<count {
                                sum &+= decoder.messageIndex(id: ids[i], isExtended: extended[i], channel: channels[i]) ?? -1
                            }
                        } else {
                            for i in 0..<count { sum &+= decoder.messageIndex(id: ids[i], isExtended: extended[i]) ?? -1 }
                        }
                        return sum
                    }
                }
            }
        }
        // Interleaved rounds, as the stages: a slow spell falls on every variant alike.
        let variants: [() -> Int] = [
            { loop(one, ids, channel: false) }, { loop(one, ids, channel: true) },
            { loop(bound, ids, channel: true) }, { loop(bound, otherSources, channel: true) },
        ]
        let runs = 21
        var times = [[Double]](repeating: [], count: variants.count)
        var sink = 0
        for round in 0...runs {   // round 0 warms up
            for (index, variant) in variants.enumerated() {
                let start = threadCPUNanoseconds()
                sink &+= variant()
                if round > 0 { times[index].append(Double(threadCPUNanoseconds() - start) / Double(count)) }
            }
        }
        if sink == 42 { CommandSupport.note("bench: lookup sink \(sink)") }   // keeps the loops
        let medians = times.map { $0.sorted()[runs / 2] }
        let result = LookupCheck(
            frames: count, runs: runs, oneDatabaseWithoutChannel: medians[0], oneDatabase: medians[1],
            threeBoundDatabases: medians[2], threeBoundDatabasesOtherSources: medians[3])
        CommandSupport.note("bench: lookup: one DBC \(fixed(result.oneDatabase, 2)) ns/frame (no channel \(fixed(result.oneDatabaseWithoutChannel, 2))), three bound \(fixed(result.threeBoundDatabases, 2)) ns, other J1939 sources \(fixed(result.threeBoundDatabasesOtherSources, 2)) ns")
        return result
    }

    /// The sample DBC as three DBCs, each bound to the channel its messages
    /// are sent on (``DatasetGenerator/channel(of:)``), the 29-bit one read
    /// as J1939: on the sample data it decodes what the whole DBC decodes.
    static func channelSplit(_ database: DBCDatabase) -> DBCDecoder {
        DBCDecoder(bindings: (0...2).map { (channel: UInt8) in
            var part = database
            part.messages = database.messages.filter { DatasetGenerator.channel(of: $0) == channel }
            return DBCBinding(database: part, name: "\(SampleDatabase.fileName)@\(channel)", channels: [Int32(channel)],
                              forcesJ1939: channel == 2)
        })
    }

    private func makePipeline(_ configuration: PipelineConfiguration, decoder: DBCDecoder) throws -> CANPipeline {
        do {
            return try CANPipeline(configuration: configuration, decoder: decoder)
        } catch {
            CommandSupport.error("bench", error.description)
            throw CommandSupport.fatal
        }
    }

    private func run(_ pipeline: CANPipeline, _ inputs: [String], _ output: CANPipeline.Output,
                     parquet: String? = nil) async throws -> PipelineReport {
        do {
            // The parquet stage: every table of spec/PARQUET.md with zstd, written and synced (a rerun
            // replaces the part's files, as a run into the same directory does).
            let report = if let parquet {
                try await pipeline.process(inputs, to: ParquetSink(directory: parquet))
            } else {
                try await pipeline.process(inputs, output: output)
            }
            guard report.format.issueCount == 0, report.unreadableFiles.isEmpty else {
                CommandSupport.error("bench", "the benchmark data has damaged units; regenerate \(data)")
                throw CommandSupport.fatal
            }
            return report
        } catch let error as PipelineError {
            CommandSupport.error("bench", error.description)
            throw CommandSupport.fatal
        }
    }

    private func memoryCheck(inputs: [String], decoder: DBCDecoder, bytes: [Int], parquet: String? = nil) async throws -> MemoryCheck {
        var configuration = PipelineConfiguration()
        configuration.memoryLimit = memoryLimit.bytes
        let pipeline = try makePipeline(configuration, decoder: decoder)
        let cycled = (0..<memoryFiles).map { inputs[$0 % inputs.count] }
        let compressed = (0..<memoryFiles).reduce(0) { $0 + bytes[$1 % bytes.count] }
        // Reset the peak resident memory (VmHWM) so that only this run counts.
        if let reset = fopen("/proc/self/clear_refs", "w") {
            fputs("5", reset)
            fclose(reset)
        }
        let report = try await run(pipeline, cycled, .none, parquet: parquet)
        let peak = report.peakResidentMemory ?? 0
        let allowed = memoryLimit.bytes + 100_000_000
        CommandSupport.note("bench: memory check\(parquet == nil ? "" : " (Parquet output)"): \(memoryFiles) inputs, peak pool \(report.peakPoolMemory / 1_000_000) MB, peak resident \(peak / 1_000_000) MB, allowed \(allowed / 1_000_000) MB")
        return MemoryCheck(inputs: memoryFiles, compressedBytes: compressed, poolLimitBytes: memoryLimit.bytes,
                           peakPoolBytes: report.peakPoolMemory, peakResidentBytes: peak,
                           allowedResidentBytes: allowed, passed: peak > 0 && peak <= allowed)
    }

    /// The benchmark files: generated once (same seed, so the same bytes) and reused.
    private func prepareData() throws -> [(path: String, bytes: Int)] {
        guard let fileFormat = DatasetGenerator.FileFormat(rawValue: format) else {
            CommandSupport.error("bench", "unknown --format \(format)")
            throw CommandSupport.fatal
        }
        let marker = data + "/.complete-\(files)-\(fileSize.bytes)" + (fileFormat == .canp ? "" : "-\(format)")
        if !FileManager.default.fileExists(atPath: marker) {
            try? FileManager.default.removeItem(atPath: data)
            CommandSupport.note("bench: generating \(files) file(s) of \(fileSize.bytes) bytes into \(data)")
            var options = DatasetGenerator.Options(outputDirectory: data)
            options.fileCount = files
            options.fileSize = fileSize.bytes
            options.seed = 2026
            options.format = fileFormat
            do {
                _ = try DatasetGenerator.run(options)
            } catch {
                CommandSupport.error("bench", "\(error)")
                throw CommandSupport.fatal
            }
            _ = FileManager.default.createFile(atPath: marker, contents: nil)
        }
        return (0..<files).map { index in
            let path = data + "/" + DatasetGenerator.fileName(seed: 2026, index: index, format: fileFormat)
            let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
            return (path, size ?? 0)
        }
    }

    static func machine() -> String {
        var model = "unknown CPU"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory / (1 << 30)) GiB"
    }

    static func markdown(_ r: Results) -> String {
        var lines: [String] = []
        lines.append("Machine: \(r.machine). Data: \(r.files) files, \(fixed(Double(r.fileBytes) / 1e6, 1)) MB compressed, \(r.blocks) blocks, \(r.frames) frames, \(r.signals) signals.\(r.clock == "cpu" ? " Times: process CPU time (--clock cpu)." : "")")
        lines.append("")
        lines.append("| stage | threads | median s | spread | MB/s (compressed) | M frames/s | M signals/s | vs libdeflate inflate | vs 1 thread |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in r.rows {
            let ratio = row.ratioToInflate.map { fixed($0 * 100, 0) + "%" } ?? ""
            let scaling = row.scalingToOneThread.map { fixed($0, 2) + "x" } ?? ""
            let signals = row.signalsPerSecond > 0 ? fixed(row.signalsPerSecond / 1e6, 1) : ""
            let frames = row.framesPerSecond > 0 ? fixed(row.framesPerSecond / 1e6, 2) : ""
            lines.append("| \(row.stage) | \(row.threads) | \(fixed(row.medianSeconds, 3)) | \(fixed(row.spreadPercent, 1))% | \(fixed(row.compressedMBps, 1)) | \(frames) | \(signals) | \(ratio) | \(scaling) |")
        }
        if let l = r.lookup {
            lines.append("")
            lines.append("Message lookup (\(l.frames) frames of the sample traffic's mix of ids, thread CPU time, median of \(l.runs) runs): one DBC \(fixed(l.oneDatabase, 2)) ns/frame (without the channel \(fixed(l.oneDatabaseWithoutChannel, 2)) ns), three DBCs bound to three channels \(fixed(l.threeBoundDatabases, 2)) ns, and with the 29-bit frames from other J1939 source addresses \(fixed(l.threeBoundDatabasesOtherSources, 2)) ns.")
        }
        if let m = r.memory {
            lines.append("")
            lines.append("Memory check: \(m.inputs) inputs (\(fixed(Double(m.compressedBytes) / 1e6, 0)) MB), pool limit \(m.poolLimitBytes / (1 << 20)) MiB: peak pool \(fixed(Double(m.peakPoolBytes) / 1e6, 1)) MB, peak resident \(fixed(Double(m.peakResidentBytes) / 1e6, 1)) MB (allowed \(fixed(Double(m.allowedResidentBytes) / 1e6, 0)) MB): \(m.passed ? "pass" : "FAIL").")
        }
        if let m = r.memoryParquet {
            lines.append("Memory check, Parquet output: \(m.inputs) inputs, pool limit \(m.poolLimitBytes / (1 << 20)) MiB: peak pool \(fixed(Double(m.peakPoolBytes) / 1e6, 1)) MB, peak resident \(fixed(Double(m.peakResidentBytes) / 1e6, 1)) MB (allowed \(fixed(Double(m.allowedResidentBytes) / 1e6, 0)) MB): \(m.passed ? "pass" : "FAIL").")
        }
        return lines.joined(separator: "\n")
    }
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}
