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
            --out, the canonical CSV exports are written there. A progress bar is shown on a \
            terminal; otherwise a plain progress line every few seconds.
            """)

    @Argument(help: "CANP files or directories.")
    var inputs: [String]

    @Option(name: .long, help: "The DBC file (without it, frames are decoded but no signals).")
    var dbc: String?

    @Option(name: .long, help: "Write frames.csv, signals.csv and errors.csv into this directory.")
    var out: String?

    @OptionGroup var pipeline: PipelineOptions

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    @Flag(name: .long, help: "List every skipped unit (file, block, offset, level, reason) after the report.")
    var listErrors = false

    func run() async throws {
        let decoder = try dbc.map { try CommandSupport.loadDecoder($0, command: "process") }
        var configuration = pipeline.configuration()
        configuration.decodesSignals = decoder != nil
        let progress = ProgressDisplay(enabled: !quiet)
        let report: PipelineReport
        do {
            let canp = try CANPipeline(configuration: configuration, decoder: decoder)
            let output: CANPipeline.Output = out.map { .csv(directory: $0) } ?? .none
            report = try await canp.process(inputs, output: output) { progress.update($0) }
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
}

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
