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
            into memory), csv (the canonical exports written). Ratios are to the libdeflate \
            inflate at the same thread count, and to one thread. Then a memory check: the signals \
            stage over --memory-files inputs (the files cycled) under --memory-limit, with the \
            peak resident memory of the process.
            """)

    @Option(name: .long, help: "Directory of the benchmark data (generated when missing).")
    var data = "bench-out/data"

    @Option(name: .long, help: "Files to generate and use.")
    var files = 8

    @Option(name: .long, help: "Size of each file.")
    var fileSize = ByteSize(bytes: 15_000_000)

    @Option(name: .long, parsing: .upToNextOption, help: "Thread counts to measure (default: 1, 2 and the number of cores).")
    var threads: [Int] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Stages to measure.")
    var stages: [String] = ["inflate", "inflate-zlib", "walk", "frames", "signals", "csv"]

    @Option(name: .long, help: "Timed runs per stage and thread count (after one warm-up run).")
    var repetitions = 3

    @Option(name: .long, help: "Inputs processed by the memory check (0 skips it).")
    var memoryFiles = 50

    @Option(name: .long, help: "Pool memory limit of the memory check.")
    var memoryLimit = ByteSize(bytes: 256 << 20)

    @Option(name: .long, help: "Write the results as JSON to this file.")
    var json: String?

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
    }

    func run() async throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threadCounts = threads.isEmpty ? Array(Set([1, 2, cores])).sorted() : threads
        let dataset = try prepareData()
        let decoder = try CommandSupport.loadDecoder(data + "/" + SampleDatabase.fileName, command: "bench", quiet: true)
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
            var seconds: [Double] = []
            var last = PipelineReport()
        }
        // The csv stage writes gigabytes that the kernel writes back for a
        // while afterwards: it runs after the in-memory stages, not between them.
        let groups = [stages.filter { $0 != "csv" }, stages.filter { $0 == "csv" }].filter { !$0.isEmpty }
        for (group, count) in groups.flatMap({ group in threadCounts.map { (group, $0) } }) {
            var measured: [Measured] = []
            for stageName in group {
                let writesCSV = stageName == "csv"
                guard let stage = writesCSV ? .signals : PipelineStage(rawValue: stageName) else {
                    CommandSupport.error("bench", "unknown stage \(stageName); stages: \(PipelineStage.allCases.map(\.rawValue).joined(separator: ", ")), csv")
                    throw CommandSupport.fatal
                }
                var configuration = PipelineConfiguration()
                configuration.cpuThreads = count
                configuration.stage = stage
                measured.append(Measured(
                    name: stageName, pipeline: try makePipeline(configuration, decoder: decoder),
                    output: writesCSV ? .csv(directory: scratch) : .none))
            }
            for round in 0...repetitions {   // round 0 is the warm-up
                for index in measured.indices {
                    let report = try await run(measured[index].pipeline, inputs, measured[index].output)
                    if round > 0 { measured[index].seconds.append(report.seconds) }
                    measured[index].last = report
                }
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
        if memoryFiles > 0 {
            memory = try await memoryCheck(inputs: inputs, decoder: decoder, bytes: dataset.map(\.bytes))
        }
        let results = Results(
            machine: Self.machine(), cores: cores, files: dataset.count, fileBytes: totalBytes, blocks: totals.blocks,
            frames: totals.frames, signals: totals.signals, rows: rows, memory: memory)
        print(Self.markdown(results))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: URL(fileURLWithPath: json))
        }
    }

    private func makePipeline(_ configuration: PipelineConfiguration, decoder: DBCDecoder) throws -> CANPipeline {
        do {
            return try CANPipeline(configuration: configuration, decoder: decoder)
        } catch {
            CommandSupport.error("bench", error.description)
            throw CommandSupport.fatal
        }
    }

    private func run(_ pipeline: CANPipeline, _ inputs: [String], _ output: CANPipeline.Output) async throws -> PipelineReport {
        do {
            let report = try await pipeline.process(inputs, output: output)
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

    private func memoryCheck(inputs: [String], decoder: DBCDecoder, bytes: [Int]) async throws -> MemoryCheck {
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
        let report = try await run(pipeline, cycled, .none)
        let peak = report.peakResidentMemory ?? 0
        let allowed = memoryLimit.bytes + 100_000_000
        CommandSupport.note("bench: memory check: \(memoryFiles) inputs, peak pool \(report.peakPoolMemory / 1_000_000) MB, peak resident \(peak / 1_000_000) MB, allowed \(allowed / 1_000_000) MB")
        return MemoryCheck(inputs: memoryFiles, compressedBytes: compressed, poolLimitBytes: memoryLimit.bytes,
                           peakPoolBytes: report.peakPoolMemory, peakResidentBytes: peak,
                           allowedResidentBytes: allowed, passed: peak > 0 && peak <= allowed)
    }

    /// The benchmark files: generated once (same seed, so the same bytes) and reused.
    private func prepareData() throws -> [(path: String, bytes: Int)] {
        let marker = data + "/.complete-\(files)-\(fileSize.bytes)"
        if !FileManager.default.fileExists(atPath: marker) {
            try? FileManager.default.removeItem(atPath: data)
            CommandSupport.note("bench: generating \(files) file(s) of \(fileSize.bytes) bytes into \(data)")
            var options = DatasetGenerator.Options(outputDirectory: data)
            options.fileCount = files
            options.fileSize = fileSize.bytes
            options.seed = 2026
            do {
                _ = try DatasetGenerator.run(options)
            } catch {
                CommandSupport.error("bench", "\(error)")
                throw CommandSupport.fatal
            }
            _ = FileManager.default.createFile(atPath: marker, contents: nil)
        }
        return (0..<files).map { index in
            let path = data + "/" + DatasetGenerator.fileName(seed: 2026, index: index)
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
        lines.append("Machine: \(r.machine). Data: \(r.files) files, \(fixed(Double(r.fileBytes) / 1e6, 1)) MB compressed, \(r.blocks) blocks, \(r.frames) frames, \(r.signals) signals.")
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
        if let m = r.memory {
            lines.append("")
            lines.append("Memory check: \(m.inputs) inputs (\(fixed(Double(m.compressedBytes) / 1e6, 0)) MB), pool limit \(m.poolLimitBytes / (1 << 20)) MiB: peak pool \(fixed(Double(m.peakPoolBytes) / 1e6, 1)) MB, peak resident \(fixed(Double(m.peakResidentBytes) / 1e6, 1)) MB (allowed \(fixed(Double(m.allowedResidentBytes) / 1e6, 0)) MB): \(m.passed ? "pass" : "FAIL").")
        }
        return lines.joined(separator: "\n")
    }
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}
