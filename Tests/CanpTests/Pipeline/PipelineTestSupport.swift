import Foundation
import Testing
@testable import Canp

/// Shared helpers for the pipeline tests: small data sets, pipelines sized for
/// a 2-core machine, and an independent recount of what a run must report.
///
/// The recount decodes each file on its own with `Record0Scanner`,
/// `BlockDecoder.decodeFile` and `DBCDecoder.decode(id:isExtended:bytes:)`,
/// frame by frame, and formats the CSV rows itself (not with `CanonicalCSV`),
/// so that it shares no code with the pipeline's chunking, ordering, pooling
/// and CSV formatting.
enum PipelineFixtures {
    static func readBytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func readText(_ path: String) throws -> String {
        try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
    }

    /// The names in a directory, sorted (hidden ones included).
    static func listing(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// A small generated data set (the generator's defaults otherwise).
    static func generate(
        in directory: String, files: Int = 1, fileSize: Int = 100_000, seed: UInt64 = 5, damage: Bool = false,
        blockSize: Int = 10_000, parallelism: Int = 2
    ) throws -> DatasetGenerator.Summary {
        var options = DatasetGenerator.Options(outputDirectory: directory)
        options.fileCount = files
        options.fileSize = fileSize
        options.seed = seed
        options.damage = damage
        options.compressedBlockSize = blockSize
        options.parallelism = parallelism
        return try DatasetGenerator.run(options)
    }

    /// A configuration for tests: few threads, a small memory limit.
    static func configuration(threads: Int = 2, memoryLimit: Int = 64 << 20) -> PipelineConfiguration {
        var configuration = PipelineConfiguration()
        configuration.cpuThreads = threads
        configuration.ioThreads = 1
        configuration.memoryLimit = memoryLimit
        return configuration
    }

    static func decoder(_ path: String) throws -> DBCDecoder {
        try DBCDatabase(contentsOfFile: path).compile()
    }

    static let sampleDecoder: DBCDecoder = {
        // The sample DBC is part of the library and parses (DatasetGeneratorTests checks it).
        try! DBCDatabase(string: SampleDatabase.text).compile()
    }()

    /// What a run over `paths` must report, computed file by file without the pipeline.
    struct Expected {
        /// Per file name: the Record0s the scanner finds and whether the file has a truncated tail.
        var record0s: [String: (blocks: Int, tail: Bool)] = [:]
        var counts = FormatCounts()
        var signals = 0
        var framesWithSignals = 0
        var issues: [FormatIssue] = []
        /// frames.csv without its header, formatted here.
        var framesRows = ""
        /// signals.csv rows (without header) as parsed fields: the text fields unquoted, raw and value as doubles.
        var signalRows: [SignalRow] = []
    }

    struct SignalRow: Equatable, CustomStringConvertible {
        var text: [String]          // file, block, timestamp_ns, channel, can_id, message, signal, label
        var raw: Double
        var value: Double

        static func == (a: SignalRow, b: SignalRow) -> Bool {
            a.text == b.text && same(a.raw, b.raw) && same(a.value, b.value)
        }

        static func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }

        var description: String { "\(text) raw \(raw) value \(value)" }
    }

    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true) }

    static func hexBytes(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
    }

    /// Quotes a field as RFC 4180 requires.
    static func field(_ text: String) -> String {
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    /// The recount. `paths` in the order the pipeline takes them (sorted by path).
    static func expected(_ paths: [String], decoder: DBCDecoder?) throws -> Expected {
        var result = Expected()
        for path in paths {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let bytes = try readBytes(path)
            let scan = Record0Scanner.scan(bytes)
            result.record0s[name] = (scan.blocks.count, scan.truncatedTail != nil)
            var blockDecoder = try BlockDecoder()
            var batch = FrameBatch()
            let inflated = blockDecoder.decodeFile(bytes, file: name, into: &batch)
            result.counts += batch.counts
            result.issues += batch.issues
            for (segment, block) in zip(batch.segments, inflated) {
                for row in segment.frames {
                    let data = Array(block[Int(batch.dataOffsets[row])..<Int(batch.dataOffsets[row]) + Int(batch.lengths[row])])
                    let flags = batch.flags[row]
                    let id = batch.identifiers[row]
                    let bit: (FrameFlags) -> String = { flags.contains($0) ? "1" : "0" }
                    let prefix = [field(name), String(batch.blocks[row]), String(batch.timestamps[row]),
                                  String(batch.channels[row]), hex(id)]
                    result.framesRows += (prefix + [bit(.extended), bit(.remoteRequest), bit(.fd), bit(.bitRateSwitch),
                                                    bit(.errorStateIndicator), String(data.count), hexBytes(data)])
                        .joined(separator: ",") + "\n"
                    guard let decoder, !flags.contains(.remoteRequest), !flags.contains(.errorFrame) else { continue }
                    let signals = decoder.decode(id: id, isExtended: flags.contains(.extended), bytes: data)
                    result.signals += signals.count
                    if !signals.isEmpty { result.framesWithSignals += 1 }
                    let message = decoder.messageIndex(id: id, isExtended: flags.contains(.extended))
                        .map { decoder.database.messages[$0].name } ?? "?"
                    for signal in signals {
                        result.signalRows.append(SignalRow(
                            text: [name] + prefix.dropFirst() + [message, signal.name, signal.label ?? ""],
                            raw: signal.raw.doubleValue, value: signal.value))
                    }
                }
            }
        }
        return result
    }

    /// Parses signals.csv rows (after the header) into `SignalRow`s.
    static func signalRows(ofCSV text: String) -> [SignalRow] {
        ReferenceScript.parse(text).dropFirst().map { row in
            SignalRow(text: Array(row[0..<7]) + [row[9]], raw: Double(row[7]) ?? .nan, value: Double(row[8]) ?? .nan)
        }
    }

    /// The fields of a report that must not depend on threads, timing or memory.
    struct Outcome: Equatable, CustomStringConvertible {
        var files: Int
        var unreadable: [String]
        var counts: FormatCounts
        var signals: Int
        var framesWithSignals: Int
        var skippedByReason: [String: Int]
        var issues: [FormatIssue]
        var bytesRead: Int

        init(_ report: PipelineReport) {
            files = report.files
            unreadable = report.unreadableFiles.map(\.path)
            counts = report.format
            signals = report.signals
            framesWithSignals = report.framesWithSignals
            skippedByReason = report.skippedByReason
            issues = report.issues
            bytesRead = report.bytesRead
        }

        var description: String { "\(files) files, \(counts), \(signals) signals, \(issues.count) issues" }
    }

    /// Runs `body` with a fresh pipeline.
    static func run(
        _ inputs: [String], configuration: PipelineConfiguration = configuration(), decoder: DBCDecoder?,
        output: CANPipeline.Output = .none
    ) async throws -> PipelineReport {
        let pipeline = try CANPipeline(configuration: configuration, decoder: decoder)
        return try await pipeline.process(inputs, output: output)
    }

    /// A CANP file built by hand: `blocks` blocks of `framesPerBlock` frames from `FormatFixtures.frames`.
    static func handBuiltFile(blocks: Int, framesPerBlock: Int, seed: UInt64 = 1) throws -> (bytes: [UInt8], frames: [[CANFrame]]) {
        var writer = try CANPFileWriter()
        var all: [[CANFrame]] = []
        for block in 0..<blocks {
            let frames = FormatFixtures.frames(
                count: framesPerBlock, seed: seed &* 1000 &+ UInt64(block),
                start: FormatFixtures.baseTime + UInt64(block) * 1_000_000_000)
            all.append(frames)
            try writer.appendBlock(FormatFixtures.payload(frames))
        }
        return (writer.bytes, all)
    }

    /// frames.csv rows of frames written by hand, straight from the `CANFrame`s.
    static func framesRows(file: String, blocks: [(index: Int, frames: [CANFrame])]) -> String {
        var text = ""
        for (index, frames) in blocks {
            for frame in frames {
                let flags = FrameFlags(rawIdentifier: frame.rawIdentifier, flagsByte: frame.flagsByte)
                let bit: (FrameFlags) -> String = { flags.contains($0) ? "1" : "0" }
                text += [file, String(index), String(frame.timestamp), String(frame.channel),
                         hex(frame.rawIdentifier & 0x1FFF_FFFF), bit(.extended), bit(.remoteRequest), bit(.fd),
                         bit(.bitRateSwitch), bit(.errorStateIndicator), String(frame.data.count), hexBytes(frame.data)]
                    .joined(separator: ",") + "\n"
            }
        }
        return text
    }
}
