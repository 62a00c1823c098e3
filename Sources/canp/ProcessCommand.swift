import ArgumentParser
import Canp
import Foundation

struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Decode CANP files with a DBC: the main job.",
        discussion: """
            Reads the inputs (files, or directories of .bin files) with io_uring, inflates and \
            decodes every block on the worker threads, and prints a report: files, blocks, frames, \
            signals, skipped units by reason, throughput, peak memory and pool hit rate. With \
            --out, the output is written there: the canonical CSV exports (--format csv, the \
            default), or the Parquet tables of spec/PARQUET.md (--format parquet: frames/, \
            errors/ and signals/MESSAGE/, each part-P.parquet). The run's summary JSON goes to \
            DIR/_canp/summary-P.json with --out (written last), and to --summary FILE. A \
            progress bar is shown on a terminal; otherwise a plain progress line every few seconds.

            Shards (the parts of a job on Spark, Slurm or Kubernetes): --files-from FILE reads the \
            inputs from a list, one path per line; --shard K/N takes the K-th of N contiguous shares \
            of the sorted input list and writes part K. Parts of one job may be written into one \
            directory at once; a rerun of a part replaces it. `canp summary merge DIR` then adds the \
            parts' summaries up.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, parquet
    }

    @Argument(help: "CANP files or directories.")
    var inputs: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Also process the paths listed in this file, one per line (exact bytes; empty lines skipped; every path must exist). May be repeated.",
        valueName: "file"))
    var filesFrom: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Process only shard K of N: its contiguous share of the sorted list of input files, written as part K.",
        valueName: "K/N"))
    var shard: String?

    /// Without a DBC, frames are decoded but no signals.
    @OptionGroup var dbcs: DBCOptions

    @Option(name: .long, help: "Write the output into this directory (see --format).")
    var out: String?

    @Option(name: .long, help: "The output format with --out: csv (frames.csv, signals.csv, errors.csv) or parquet.")
    var format: Format = .csv

    @Option(name: .long, help: "Parquet page compression: zstd, snappy, gzip or none.")
    var compression: ParquetCompression.Codec = .zstd

    @Option(name: .long, help: "The part number of the output files (0-99999: part-P.parquet, summary-P.json; default: K of --shard, else 0).")
    var part: Int?

    @Option(name: .long, help: "Also write the run's summary JSON to this file.")
    var summary: String?

    @OptionGroup var pipeline: PipelineOptions

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    @Flag(name: .long, help: "List every skipped unit (file, block, offset, level, reason) after the report.")
    var listErrors = false

    func validate() throws {
        if let part, part < 0 || part > 99_999 { throw ValidationError("--part must be in 0...99999, not \(part)") }
        if format == .parquet && out == nil { throw ValidationError("--format parquet needs --out DIR") }
        if compression != .zstd && format != .parquet { throw ValidationError("--compression applies to --format parquet") }
        if inputs.isEmpty && filesFrom.isEmpty { throw ValidationError("Missing expected argument '<inputs> ...': name input files or directories, or give --files-from FILE") }
        if let shard {
            let parsed: Shard
            do { parsed = try Shard(parsing: shard) } catch { throw ValidationError(error.description) }
            if let part, part != parsed.index {
                throw ValidationError("--part \(part) and --shard \(shard) disagree: a shard writes its own part (leave out --part)")
            }
        }
    }

    /// The part written: `--part`, else K of `--shard`, else 0.
    var partNumber: Int { part ?? shard.flatMap { try? Shard(parsing: $0).index } ?? 0 }

    func run() async throws {
        AtomicOutputFile.installSignalCleanup()
        let decoder = try dbcs.loadDecoder(command: "process")
        var configuration = pipeline.configuration()
        configuration.decodesSignals = decoder != nil
        let progress = ProgressDisplay(enabled: !quiet)
        let (manifests, selectedShard) = try readShard()
        let report: PipelineReport
        do throws(PipelineError) {
            let canp = try CANPipeline(configuration: configuration, decoder: decoder)
            let files = try InputSelection.files(inputs: CommandSupport.inputPaths(inputs), manifests: manifests,
                                                 shard: selectedShard, directoryExtensions: canp.directoryExtensions)
            report = try await write(files, with: canp, progress: progress)
            if let summary { try Self.writeSummary(report, part: partNumber, decoder: decoder, to: summary) }
        } catch {
            progress.finish()
            CommandSupport.error("process", error.description)
            throw CommandSupport.exitCode(for: error)
        }
        progress.finish()
        print(report.description)
        if listErrors {
            for issue in report.issues { print("skipped: \(issue)") }
        }
        try CommandSupport.failIfUnreadable(report, command: "process")
    }

    /// The manifests and the shard. One that cannot be used ends the command
    /// (exit 1, naming the manifest and line) before anything is processed.
    private func readShard() throws -> ([InputManifest], Shard?) {
        do throws(ShardError) {
            var manifests: [InputManifest] = []
            for path in filesFrom { manifests.append(try InputManifest(contentsOf: path)) }
            return (manifests, try shard.map { (text: String) throws(ShardError) in try Shard(parsing: text) })
        } catch {
            CommandSupport.error("process", error.description)
            throw CommandSupport.fatal
        }
    }

    /// Runs the pipeline over the files into the output of `--format` and `--out`.
    private func write(_ files: [InputFiles.File], with canp: CANPipeline, progress: ProgressDisplay) async throws(PipelineError) -> PipelineReport {
        switch (format, out) {
        case (.parquet, let directory?):
            let sink = ParquetSink(directory: directory, part: partNumber, compression: ParquetCompression(compression))
            return try await canp.process(listed: files, to: sink) { progress.update($0) }
        case (.csv, let directory?):
            let report = try await canp.process(listed: files, to: CSVSink(directory: directory)) { progress.update($0) }
            try Self.writeSummary(report, part: partNumber, decoder: canp.decoder, to: directory + "/_canp/summary-" + ParquetSink.fiveDigits(partNumber) + ".json")
            return report
        default:
            return try await canp.process(listed: files, to: DiscardingSink()) { progress.update($0) }
        }
    }
}

extension ProcessCommand {
    /// Writes the summary JSON atomically (creating its directory).
    static func writeSummary(_ report: PipelineReport, part: Int, decoder: DBCDecoder?, to path: String) throws(PipelineError) {
        do throws(OutputError) {
            if let slash = path.lastIndex(of: "/") { try OutputDirectory.makeDirectories(String(path[..<slash])) }
            let file = try AtomicOutputFile(finalPath: path)
            do throws(OutputError) {
                try file.write(Array(RunSummary(report: report, part: part, databases: RunSummary.Database.of(decoder)).json.utf8))
                try file.commit()
            } catch {
                file.discard()
                throw error
            }
        } catch {
            throw PipelineError(error)
        }
    }
}

extension ParquetCompression.Codec: ExpressibleByArgument {}

/// The progress bar on a terminal (standard error), plain lines elsewhere.
final class ProgressDisplay {
    private let enabled: Bool
    private let terminal: Bool
    private var lastDraw = 0.0
    private var drewBar = false

    init(enabled: Bool) {
        self.enabled = enabled
        terminal = isatty(2) != 0
    }

    func update(_ p: PipelineProgress) {
        guard enabled else { return }
        let interval = terminal ? 0.1 : 5.0
        let finished = p.filesDone == p.filesTotal
        guard p.seconds - lastDraw >= interval || (finished && terminal) else { return }
        lastDraw = p.seconds
        let fraction = p.bytesTotal > 0 ? Double(p.bytesDone) / Double(p.bytesTotal) : 1
        let rate = p.seconds > 0 ? Double(p.bytesDone) / 1e6 / p.seconds : 0
        let frames = p.seconds > 0 ? Double(p.frames) / 1e6 / p.seconds : 0
        let stats = "\(p.filesDone)/\(p.filesTotal) files  \(Self.fixed(rate)) MB/s  \(Self.fixed(frames)) M frames/s  mem \(p.memoryInUse / 1_000_000) MB  errors \(p.skippedUnits)"
        if terminal {
            let width = 30
            let filled = min(width, Int(fraction * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(Int(fraction * 100))%  \(stats)\u{1B}[K".utf8))
            drewBar = true
        } else {
            FileHandle.standardError.write(Data("progress: \(Int(fraction * 100))%  \(stats)\n".utf8))
        }
    }

    func finish() {
        if drewBar { FileHandle.standardError.write(Data("\n".utf8)) }
        drewBar = false
    }

    static func fixed(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
