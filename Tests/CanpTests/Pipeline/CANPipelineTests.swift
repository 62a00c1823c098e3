import Foundation
import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

/// End-to-end runs of `CANPipeline` on generated and hand-built files: every
/// Record0, frame and signal accounted for, every injected damage reported,
/// results in order and independent of threads and memory.
@Suite("CANPipeline")
struct CANPipelineTests {
    typealias Fixtures = PipelineFixtures

    // MARK: - Counts

    @Test func cleanGeneratedFilesAreDecodedCompletely() async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path, files: 3, fileSize: 80_000, seed: 21)
        let decoder = try Fixtures.decoder(summary.databasePath)
        let report = try await Fixtures.run([directory.path], decoder: decoder)
        let expected = try Fixtures.expected(summary.files.map(\.path), decoder: decoder)

        #expect(report.files == 3)
        #expect(report.unreadableFiles.isEmpty)
        #expect(report.format.blocksDecoded == summary.files.reduce(0) { $0 + $1.blocks })
        #expect(report.format.blocksDecoded == expected.record0s.values.reduce(0) { $0 + $1.blocks })
        #expect(report.format.blocksSkipped == 0 && report.format.truncatedTails == 0)
        #expect(report.format.framesDecoded == summary.totalFrames)
        #expect(report.format.framesSkipped == 0)
        #expect(report.format.inflatedBytes == expected.counts.inflatedBytes)
        #expect(report.signals == expected.signals)
        #expect(report.signals > report.format.framesDecoded, "the sample DBC has several signals per message")
        #expect(report.framesWithSignals == expected.framesWithSignals)
        // Unknown ids (0x7DF) and remote requests carry no signals.
        #expect(report.framesWithSignals < report.format.framesDecoded)
        #expect(report.issues.isEmpty && report.skippedByReason.isEmpty)
        #expect(report.bytesRead == summary.totalBytes)
        #expect(report.outputs.isEmpty && report.bytesWritten == 0)
    }

    @Test func damagedGeneratedFilesReportEveryInjectedDamage() async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path, files: 3, fileSize: 60_000, seed: 8, damage: true)
        let decoder = try Fixtures.decoder(summary.databasePath)
        let report = try await Fixtures.run([directory.path], decoder: decoder)
        let paths = summary.files.map(\.path)
        let expected = try Fixtures.expected(paths, decoder: decoder)

        // Every Record0 is decoded, skipped or in a truncated tail.
        let scanned = expected.record0s.values.reduce(0) { $0 + $1.blocks }
        #expect(report.format.blocksDecoded + report.format.blocksSkipped == scanned)
        #expect(report.format.truncatedTails == expected.record0s.values.filter(\.tail).count)
        #expect(report.format == expected.counts)
        #expect(report.signals == expected.signals)
        #expect(report.framesWithSignals == expected.framesWithSignals)
        #expect(report.issues == expected.issues, "the same issues, in file and block order")

        // What was injected, and nothing else, is reported.
        let injected = summary.files.flatMap(\.damage)
        #expect(report.issues.count == injected.count)
        #expect(report.format.issueCount == injected.count)
        #expect(report.format.blocksSkipped == injected.filter { $0.kind.skipsBlock }.count)
        #expect(report.format.framesSkipped == injected.filter { !$0.kind.skipsBlock && $0.kind != .truncatedTail }.count)
        #expect(report.format.truncatedTails == injected.filter { $0.kind == .truncatedTail }.count)
        for file in summary.files {
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            let scan = Record0Scanner.scan(try Fixtures.readBytes(file.path))
            let issues = report.issues.filter { $0.file == name }
            #expect(issues.count == file.damage.count, "\(name)")
            for damage in file.damage {
                let offset = damage.kind == .truncatedTail ? scan.truncatedTail?.offset : scan.blocks[damage.block].offset
                let found = issues.filter { $0.block == damage.block && $0.offset == offset }
                #expect(found.count == 1, "\(name): \(damage.kind) in block \(damage.block)")
                if let issue = found.first {
                    #expect(DamageExpectation.matches(issue, damage.kind), "\(damage.kind): \(issue)")
                }
            }
        }
        #expect(report.skippedByReason.values.reduce(0, +) == report.issues.count)

        // Frames: the traffic written, less what the skipped blocks and the cut tail held.
        let lost = summary.totalFrames - report.format.framesDecoded
        let lostBlocks = report.format.blocksSkipped + report.format.truncatedTails
        let perBlock = Double(report.format.framesDecoded) / Double(report.format.blocksDecoded)
        #expect(lost > 0)
        #expect(Double(lost) > 0.5 * perBlock * Double(lostBlocks) && Double(lost) < 1.5 * perBlock * Double(lostBlocks),
                "\(lost) frames lost in \(lostBlocks) blocks of about \(perBlock) frames")
    }

    /// A file whose every frame is known: exact counts, frames.csv and errors.csv.
    @Test func handBuiltFileCountsAndExportsExactly() async throws {
        let directory = TemporaryDirectory()
        var writer = try CANPFileWriter()
        var written: [[CANFrame]] = []
        var offsets: [Int] = []
        for block in 0..<6 {
            let frames = FormatFixtures.frames(count: 30 + block, seed: 40 + UInt64(block),
                                               start: FormatFixtures.baseTime + UInt64(block) * 1_000_000_000)
            written.append(frames)
            var payload = FormatFixtures.payload(frames)
            if block == 4 {
                // One bad frame after the good ones: only it is lost.
                var sequence = FrameSequenceBuilder(channel: 1)
                sequence.append(CANFrame(timestamp: FormatFixtures.baseTime, identifier: 0x100, data: [UInt8](repeating: 1, count: 12)))
                payload.appendRecord1([sequence])
            }
            offsets.append(writer.bytes.count)
            try writer.appendBlock(payload, damage: block == 2 ? .corruptChecksum : nil)
        }
        let tailOffset = writer.bytes.count
        try writer.appendBlock(FormatFixtures.payload(FormatFixtures.frames(count: 20, seed: 99)))
        writer.truncate(removingLast: 100)
        let tailBytes = writer.bytes.count - tailOffset
        let path = directory.write("hand.bin", writer.bytes)

        let out = directory.path + "/out"
        let report = try await Fixtures.run([path], decoder: nil, output: .csv(directory: out))
        let good = [0, 1, 3, 4, 5]
        #expect(report.format.blocksDecoded == 5)
        #expect(report.format.blocksSkipped == 1)
        #expect(report.format.truncatedTails == 1)
        #expect(report.format.framesDecoded == good.reduce(0) { $0 + written[$1].count })
        #expect(report.format.framesSkipped == 1)
        #expect(report.signals == 0 && report.framesWithSignals == 0)
        #expect(report.issues.map(\.block) == [2, 4, 6])
        #expect(report.issues.map(\.offset) == [offsets[2], offsets[4], tailOffset])

        let frames = try Fixtures.readText(out + "/frames.csv")
        #expect(frames == CanonicalCSV.framesHeader
                + Fixtures.framesRows(file: "hand.bin", blocks: good.map { ($0, written[$0]) }))
        let errors = try Fixtures.readText(out + "/errors.csv")
        let payloadLength = UInt32(tailBytes - Record0Header.size + 100)
        #expect(errors == """
            file,block,offset,level,reason
            hand.bin,2,\(offsets[2]),0,gzip: CRC-32 mismatch
            hand.bin,4,\(offsets[4]),frame,classic frame longer than 8 bytes (12)
            hand.bin,6,\(tailOffset),0,truncated payload: len0 is \(payloadLength) but \(tailBytes - Record0Header.size) bytes are left

            """)
        #expect(try Fixtures.readText(out + "/signals.csv") == CanonicalCSV.signalsHeader)
    }

    // MARK: - Order, threads, memory

    @Test func resultsLeaveInFileAndBlockOrder() async throws {
        let directory = TemporaryDirectory()
        // Names whose listing order differs from their sorted order.
        var written: [String: [[CANFrame]]] = [:]
        for (index, name) in ["c.bin", "a.bin", "b.bin"].enumerated() {
            let (bytes, frames) = try Fixtures.handBuiltFile(blocks: 9, framesPerBlock: 12, seed: UInt64(index + 1))
            directory.write(name, bytes)
            written[name] = frames
        }
        var expectedRows = ""
        for name in ["a.bin", "b.bin", "c.bin"] {
            let blocks = written[name]!.enumerated().map { (index: $0.offset, frames: $0.element) }
            expectedRows += Fixtures.framesRows(file: name, blocks: blocks)
        }
        var configuration = Fixtures.configuration(threads: 2)
        configuration.blocksPerTask = 1         // many small chunks racing on two workers
        configuration.maximumTasksInFlight = 8
        let out = directory.path + "/out"
        let report = try await Fixtures.run([directory.path], configuration: configuration, decoder: nil,
                                            output: .csv(directory: out))
        #expect(report.files == 3 && report.format.blocksDecoded == 27)
        #expect(try Fixtures.readText(out + "/frames.csv") == CanonicalCSV.framesHeader + expectedRows)
    }

    @Test func oneAndTwoThreadsGiveIdenticalReportsAndBytes() async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path + "/data", files: 2, fileSize: 50_000, seed: 12, damage: true)
        let decoder = try Fixtures.decoder(summary.databasePath)
        var outcomes: [Fixtures.Outcome] = []
        var exports: [[String: [UInt8]]] = []
        for threads in [1, 2] {
            var configuration = Fixtures.configuration(threads: threads)
            configuration.blocksPerTask = 3
            let out = directory.path + "/out\(threads)"
            let report = try await Fixtures.run([directory.path + "/data"], configuration: configuration, decoder: decoder,
                                                output: .csv(directory: out))
            outcomes.append(Fixtures.Outcome(report))
            var files: [String: [UInt8]] = [:]
            for name in ["frames.csv", "signals.csv", "errors.csv"] { files[name] = try Fixtures.readBytes(out + "/" + name) }
            exports.append(files)
        }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0].issues.count == summary.files.reduce(0) { $0 + $1.damage.count })
        for name in ["frames.csv", "signals.csv", "errors.csv"] {
            #expect(exports[0][name] == exports[1][name], "\(name) differs between 1 and 2 threads")
        }
        #expect((exports[0]["signals.csv"]?.count ?? 0) > 100_000)
    }

    /// Many inputs (the same files linked under many names) whose total is
    /// well above the 16 MiB limit: the run completes with the counts of one
    /// copy times the number of copies.
    @Test func memoryLimitFarBelowTheDataStillCompletes() async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path + "/src", files: 2, fileSize: 280_000, seed: 31, damage: true)
        let decoder = try Fixtures.decoder(summary.databasePath)
        let copies = 32
        let many = directory.path + "/many"
        mkdir(many, 0o755)
        for copy in 0..<copies {
            for (index, file) in summary.files.enumerated() {
                #expect(link(file.path, many + "/copy\(copy)_\(index).bin") == 0)
            }
        }
        #expect(summary.totalBytes * copies > 16 << 20)
        let single = try await Fixtures.run([directory.path + "/src"], decoder: decoder)
        var configuration = Fixtures.configuration(threads: 2, memoryLimit: 16 << 20)
        configuration.readAheadFiles = 4
        let report = try await Fixtures.run([many], configuration: configuration, decoder: decoder)
        #expect(report.files == 2 * copies)
        #expect(report.unreadableFiles.isEmpty)
        #expect(report.bytesRead == summary.totalBytes * copies)
        #expect(report.format.blocksDecoded == single.format.blocksDecoded * copies)
        #expect(report.format.blocksSkipped == single.format.blocksSkipped * copies)
        #expect(report.format.truncatedTails == single.format.truncatedTails * copies)
        #expect(report.format.framesDecoded == single.format.framesDecoded * copies)
        #expect(report.format.framesSkipped == single.format.framesSkipped * copies)
        #expect(report.signals == single.signals * copies)
        #expect(report.issues.count == single.issues.count * copies)
        #expect(report.peakPoolMemory <= 16 << 20)
    }

    /// Files a few MB each under a 16 MiB limit: the read-ahead runs into the
    /// limit while reads are in flight, and no file may be dropped.
    @Test func readAheadUnderTheLimitDropsNoFile() async throws {
        let directory = TemporaryDirectory()
        let size = 5_000_000
        let first = directory.write("r00.bin", Self.randomBytes(count: size, seed: 77))
        for copy in 1..<8 { #expect(link(first, directory.path + "/r0\(copy).bin") == 0) }
        let expected = try Fixtures.expected([first], decoder: nil)
        var configuration = Fixtures.configuration(threads: 2, memoryLimit: 16 << 20)
        configuration.readAheadFiles = 3
        let report = try await Fixtures.run([directory.path], configuration: configuration, decoder: nil)
        #expect(report.files == 8, "every file is processed or reported unreadable: \(report.unreadableFiles)")
        #expect(report.unreadableFiles.isEmpty)
        #expect(report.bytesRead == 8 * size)
        #expect(report.format.truncatedTails == 8 * expected.counts.truncatedTails)
        #expect(report.format.blocksSkipped == 8 * expected.counts.blocksSkipped)
        #expect(report.issues.count == 8 * expected.issues.count)
    }

    /// Files over half the limit: the next file's memory is free only once
    /// the previous file is released, which the driver must do before waiting.
    @Test func filesOverHalfTheLimitAreProcessedOneAtATime() async throws {
        let directory = TemporaryDirectory()
        let size = 9 << 20
        let first = directory.write("big0.bin", Self.randomBytes(count: size, seed: 5))
        for copy in 1..<3 { #expect(link(first, directory.path + "/big\(copy).bin") == 0) }
        let expected = try Fixtures.expected([first], decoder: nil)
        let report = try await Fixtures.run([directory.path], configuration: Fixtures.configuration(memoryLimit: 16 << 20),
                                            decoder: nil)
        #expect(report.files == 3)
        #expect(report.unreadableFiles.isEmpty)
        #expect(report.bytesRead == 3 * size)
        #expect(report.issues.count == 3 * expected.issues.count)
    }

    static func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] = random.next() }
        }
        return bytes
    }

    // MARK: - Stages

    @Test(arguments: PipelineStage.allCases)
    func stagesGiveTheirCounts(stage: PipelineStage) async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path, files: 1, fileSize: 60_000, seed: 3, damage: true)
        let decoder = try Fixtures.decoder(summary.databasePath)
        let expected = try Fixtures.expected(summary.files.map(\.path), decoder: decoder)
        var configuration = Fixtures.configuration()
        configuration.stage = stage
        let report = try await Fixtures.run([directory.path], configuration: configuration, decoder: decoder)
        let damage = summary.files[0].damage
        let gzipDamage = damage.filter { [.flippedDeflateByte, .badChecksum, .badInflatedSize].contains($0.kind) }.count
        let blockDamage = damage.filter(\.kind.skipsBlock).count
        let scanned = expected.record0s.values.reduce(0) { $0 + $1.blocks }
        #expect(report.format.truncatedTails == 1)
        #expect(report.format.blocksDecoded + report.format.blocksSkipped == scanned)
        switch stage {
        case .inflate, .inflateWithZlib:
            #expect(report.format.blocksSkipped == gzipDamage)
            // The blocks with level 1-3 damage inflate too.
            #expect(report.format.inflatedBytes > expected.counts.inflatedBytes)
            #expect(report.format.framesDecoded == 0 && report.signals == 0)
        case .walk:
            #expect(report.format.blocksSkipped == blockDamage)
            #expect(report.format.inflatedBytes >= expected.counts.inflatedBytes)
            // The walk counts every Record3, bad frames included.
            #expect(report.format.framesDecoded == expected.counts.framesDecoded + expected.counts.framesSkipped)
            #expect(report.signals == 0)
        case .frames:
            #expect(report.format == expected.counts)
            #expect(report.issues == expected.issues)
            #expect(report.signals == 0 && report.framesWithSignals == 0)
        case .signals:
            #expect(report.format == expected.counts)
            #expect(report.issues == expected.issues)
            #expect(report.signals == expected.signals && report.framesWithSignals == expected.framesWithSignals)
        }
    }

    @Test func framesOnlyWithoutDecoderOrWithSignalsOff() async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path, files: 1, fileSize: 40_000, seed: 4)
        let decoder = try Fixtures.decoder(summary.databasePath)
        var configuration = Fixtures.configuration()
        configuration.decodesSignals = false
        let off = try await Fixtures.run([directory.path], configuration: configuration, decoder: decoder)
        let none = try await Fixtures.run([directory.path], decoder: nil)
        for report in [off, none] {
            #expect(report.format.framesDecoded == summary.totalFrames)
            #expect(report.signals == 0 && report.framesWithSignals == 0)
        }
    }

    @Test func progressReachesEveryFileAndByte() async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path, files: 3, fileSize: 30_000, seed: 14, damage: true)
        let pipeline = try CANPipeline(configuration: Fixtures.configuration(), decoder: nil)
        let seen = ProgressLog()
        let report = try await pipeline.process([directory.path]) { seen.append($0) }
        let last = try #require(seen.items.last)
        #expect(last.filesDone == 3 && last.filesTotal == 3)
        #expect(last.bytesDone == last.bytesTotal && last.bytesTotal == summary.totalBytes)
        #expect(last.frames == report.format.framesDecoded)
        #expect(last.skippedUnits == report.issues.count)
        #expect(zip(seen.items, seen.items.dropFirst()).allSatisfy { $0.bytesDone <= $1.bytesDone && $0.frames <= $1.frames })
    }
}

/// What each kind of generated damage must be reported as.
enum DamageExpectation {
    static func matches(_ issue: FormatIssue, _ kind: DatasetGenerator.DamageKind) -> Bool {
        let text = issue.reason.description
        let numbers = text.split { !$0.isNumber }.compactMap { Int($0) }
        switch (kind, issue.level) {
        case (.flippedDeflateByte, .record0): return text.hasPrefix("gzip:")
        case (.badChecksum, .record0): return issue.reason == .gzip(.checksumMismatch)
        case (.badInflatedSize, .record0): return issue.reason == .gzip(.sizeMismatch)
        case (.record1Overrun, .record1):
            return text.hasPrefix("length ") && numbers.count == 2 && numbers[0] == numbers[1] + 9
        case (.record2Overrun, .record2):
            return text.hasPrefix("length ") && numbers.count == 2 && numbers[0] == numbers[1] + 7
        case (.record3Overrun, .record3): return text.hasPrefix("length 250 runs past its parent")
        case (.childrenShortOfParent, .record3): return issue.reason == .headerRunsPastParent(available: 3)
        case (.classicFrameTooLong, .frame): return issue.reason == .classicFrameTooLong(dataLength: 12)
        case (.fdLengthNotAllowed, .frame): return issue.reason == .fdLengthNotAllowed(dataLength: 9)
        case (.standardIdentifierTooLarge, .frame): return issue.reason == .standardIdentifierTooLarge(identifier: 0x900)
        case (.recordLengthMismatch, .frame): return issue.reason == .lengthFieldMismatch(recordLength: 24, dataLength: 6)
        case (.frameTooShort, .frame): return issue.reason == .frameShorterThan16Bytes(recordLength: 10)
        case (.truncatedTail, .record0): return text.hasPrefix("truncated payload") || text.hasPrefix("truncated header")
        default: return false
        }
    }
}

/// Collects progress reports (called on the driving task, one at a time).
final class ProgressLog: @unchecked Sendable {
    // @unchecked: the pipeline calls progress from its driving task only, never concurrently.
    private(set) var items: [PipelineProgress] = []
    func append(_ progress: PipelineProgress) { items.append(progress) }
}
