import Foundation
import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

/// `CANPipeline` on awkward inputs: empty files and directories, missing
/// paths, random bytes, files that cannot be read, and strict mode on them.
@Suite("CANPipeline inputs")
struct CANPipelineInputTests {
    typealias Fixtures = PipelineFixtures

    // MARK: - Empty and missing

    @Test func emptyFileIsZeroBlocks() async throws {
        let directory = TemporaryDirectory()
        let path = directory.write("empty.bin", [])
        let out = directory.path + "/out"
        let report = try await Fixtures.run([path], decoder: Fixtures.sampleDecoder, output: .csv(directory: out))
        #expect(report.files == 1)
        #expect(report.unreadableFiles.isEmpty)
        #expect(report.format == FormatCounts())
        #expect(report.issues.isEmpty && report.signals == 0)
        #expect(report.bytesRead == 0)
        #expect(try Fixtures.readText(out + "/frames.csv") == CanonicalCSV.framesHeader)
        #expect(try Fixtures.readText(out + "/signals.csv") == CanonicalCSV.signalsHeader)
        #expect(try Fixtures.readText(out + "/errors.csv") == CanonicalCSV.errorsHeader)
        #expect(Fixtures.listing(out) == ["errors.csv", "frames.csv", "signals.csv"])
    }

    @Test func emptyDirectoryHasNoInputFiles() async throws {
        let directory = TemporaryDirectory()
        directory.write("notes.txt", Array("not a log".utf8))
        directory.write(".hidden.bin", [1, 2, 3])
        for inputs in [[directory.path], []] {
            do {
                _ = try await Fixtures.run(inputs, decoder: nil)
                Issue.record("\(inputs): no error")
            } catch PipelineError.noInputFiles(let message) {
                if !inputs.isEmpty { #expect(message.contains(directory.path)) }
            } catch {
                Issue.record("\(inputs): \(error)")
            }
        }
    }

    /// A missing input is an unreadable file (exit code 3 in the CLI): the
    /// others are processed, and strict mode stops at it.
    @Test func missingPathIsReportedUnreadable() async throws {
        let directory = TemporaryDirectory()
        let good = directory.write("good.bin", try Fixtures.handBuiltFile(blocks: 1, framesPerBlock: 3).bytes)
        let missing = directory.path + "/missing.bin"
        let report = try await Fixtures.run([good, missing], decoder: nil)
        #expect(report.files == 1 && report.format.framesDecoded == 3)
        #expect(report.unreadableFiles.map(\.path) == [missing])
        #expect(report.unreadableFiles.first?.reason == String(cString: strerror(ENOENT)))
        var strict = Fixtures.configuration()
        strict.strict = true
        do {
            _ = try await Fixtures.run([good, missing], configuration: strict, decoder: nil)
            Issue.record("strict mode went past a missing input")
        } catch PipelineError.fileUnreadable(let path, _) {
            #expect(path == missing)
        } catch {
            Issue.record("\(error)")
        }
    }

    // MARK: - Garbage

    /// Random bytes: nothing decodes, nothing crashes, and every byte is in a
    /// skipped block or the truncated tail.
    @Test(arguments: [1 as UInt64, 2, 3])
    func randomBytesAreAccountedFor(seed: UInt64) async throws {
        let directory = TemporaryDirectory()
        let bytes = CANPipelineTests.randomBytes(count: 64_000 + Int(seed) * 1_000, seed: seed)
        let path = directory.write("random.bin", bytes)
        let report = try await Fixtures.run([path], decoder: Fixtures.sampleDecoder)
        try Self.expectEveryByteAccountedFor(bytes, report: report)
    }

    /// Record0 headers that hold together around payloads that are not gzip
    /// (or gzip headers with random bodies and absurd ISIZEs): every block is
    /// skipped, none crashes the inflater, and the accounting holds.
    @Test func plausibleHeadersAroundGarbageAreSkipped() async throws {
        let directory = TemporaryDirectory()
        var random = SplitMix64(seed: 9)
        var writer = try CANPFileWriter()
        for block in 0..<40 {
            var payload = (0..<Int(50 + random.next() % 3000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if block % 2 == 0 { payload.replaceSubrange(0..<4, with: [0x1F, 0x8B, 0x08, 0x00]) }
            if block % 4 == 0 { payload.replaceSubrange((payload.count - 4)..., with: [0xFF, 0xFF, 0xFF, 0x7F]) }
            writer.appendRecord0(
                header: Record0Header(sequenceNumber: UInt32(block), firstTimestamp: 0, lastTimestamp: 0,
                                      inflatedSize: UInt32(truncatingIfNeeded: random.next()),
                                      payloadLength: UInt32(payload.count)),
                payload: payload)
        }
        // One good block among them still decodes.
        let good = FormatFixtures.frames(count: 25, seed: 4)
        try writer.appendBlock(FormatFixtures.payload(good))
        writer.appendRawBytes([0x43, 0x41, 0x4E])
        let path = directory.write("garbage.bin", writer.bytes)
        let report = try await Fixtures.run([path], decoder: nil)
        #expect(report.format.blocksSkipped == 40)
        #expect(report.format.blocksDecoded == 1)
        #expect(report.format.framesDecoded == 25)
        #expect(report.format.truncatedTails == 1)
        #expect(report.issues.filter { $0.level == .record0 }.count == 41)
        try Self.expectEveryByteAccountedFor(writer.bytes, report: report)
    }

    static func expectEveryByteAccountedFor(
        _ bytes: [UInt8], report: PipelineReport, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let scan = Record0Scanner.scan(bytes)
        #expect(report.files == 1, sourceLocation: sourceLocation)
        #expect(report.bytesRead == bytes.count, sourceLocation: sourceLocation)
        #expect(report.format.blocksDecoded + report.format.blocksSkipped == scan.blocks.count, sourceLocation: sourceLocation)
        #expect(report.format.truncatedTails == (scan.truncatedTail == nil ? 0 : 1), sourceLocation: sourceLocation)
        // The blocks and the tail tile the file exactly.
        var next = 0
        for block in scan.blocks {
            #expect(block.offset == next, sourceLocation: sourceLocation)
            next = block.endOffset
        }
        if let tail = scan.truncatedTail {
            #expect(tail.offset == next, sourceLocation: sourceLocation)
            next += tail.availableBytes
        }
        #expect(next == bytes.count, sourceLocation: sourceLocation)
        // Each skipped block and the tail is one issue at its own offset.
        let skipped = Set(report.issues.filter(\.level.isStructural).map(\.offset))
        #expect(skipped.count == report.format.blocksSkipped + report.format.truncatedTails, sourceLocation: sourceLocation)
        #expect(report.issues.count == report.format.issueCount, sourceLocation: sourceLocation)
    }

    // MARK: - Unreadable files

    /// A file that disappears between the listing and its read is reported,
    /// and the other files are processed.
    @Test func fileDeletedBeforeItsReadIsReportedUnreadable() async throws {
        let directory = TemporaryDirectory()
        // a.bin in 12 one-block chunks; with one task in flight and no
        // read-ahead, the first progress call comes before b.bin is read.
        directory.write("a.bin", try Fixtures.handBuiltFile(blocks: 12, framesPerBlock: 5).bytes)
        let doomed = directory.write("b.bin", try Fixtures.handBuiltFile(blocks: 2, framesPerBlock: 5).bytes)
        directory.write("c.bin", try Fixtures.handBuiltFile(blocks: 3, framesPerBlock: 5).bytes)
        var configuration = Fixtures.configuration()
        configuration.readAheadFiles = 0
        configuration.blocksPerTask = 1
        configuration.maximumTasksInFlight = 1
        let pipeline = try CANPipeline(configuration: configuration, decoder: nil)
        let deleted = ProgressLog()
        let report = try await pipeline.process([directory.path]) { progress in
            if deleted.items.isEmpty {
                unlink(doomed)
                deleted.append(progress)
            }
        }
        #expect(deleted.items.first?.filesDone == 0, "deleted while a.bin was being decoded")
        #expect(report.unreadableFiles.map(\.path) == [doomed])
        #expect(report.unreadableFiles.first?.reason == String(cString: strerror(ENOENT)))
        #expect(report.files == 2)
        #expect(report.format.blocksDecoded == 15)
        #expect(report.format.framesDecoded == 75)
    }

    @Test func fileLargerThanTheMemoryLimitIsReportedUnreadable() async throws {
        let directory = TemporaryDirectory()
        directory.write("a.bin", try Fixtures.handBuiltFile(blocks: 2, framesPerBlock: 5).bytes)
        let big = directory.path + "/big.bin"
        let fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0 && ftruncate(fd, off_t(17 << 20)) == 0)     // sparse: costs no disk
        close(fd)
        let report = try await Fixtures.run([directory.path], configuration: Fixtures.configuration(memoryLimit: 16 << 20),
                                            decoder: nil)
        #expect(report.files == 1)
        #expect(report.unreadableFiles.map(\.path) == [big])
        #expect(report.unreadableFiles.first?.reason.contains("memory limit") == true)
        #expect(report.format.framesDecoded == 10)
    }

    /// Entries of a directory that have the extension but are not regular
    /// files (a FIFO, a directory, a dangling link) are reported, not dropped.
    @Test func nonRegularEntriesWithTheExtensionAreReportedUnreadable() async throws {
        let directory = TemporaryDirectory()
        directory.write("a.bin", try Fixtures.handBuiltFile(blocks: 2, framesPerBlock: 5).bytes)
        let fifo = directory.path + "/fifo.bin"
        let folder = directory.path + "/folder.bin"
        let link = directory.path + "/link.bin"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(mkdir(folder, 0o755) == 0)
        #expect(symlink(directory.path + "/nowhere", link) == 0)
        mkdir(directory.path + "/plain", 0o755)         // no extension: not an input
        let report = try await Fixtures.run([directory.path], decoder: nil)
        #expect(report.files == 1)
        #expect(report.format.framesDecoded == 10)
        #expect(report.unreadableFiles.map(\.path) == [fifo, folder, link])
        for (path, reason) in report.unreadableFiles { #expect(!reason.isEmpty, "\(path)") }
    }

    @Test func directoryOfOnlyUnreadableEntriesIsReportedNotEmpty() async throws {
        let directory = TemporaryDirectory()
        #expect(mkdir(directory.path + "/x.bin", 0o755) == 0)
        let report = try await Fixtures.run([directory.path], decoder: nil)
        #expect(report.files == 0)
        #expect(report.unreadableFiles.map(\.path) == [directory.path + "/x.bin"])
    }

    // MARK: - Strict mode and unreadable files

    @Test func strictModeStopsAtAnUnreadableFile() async throws {
        let directory = TemporaryDirectory()
        directory.write("a.bin", try Fixtures.handBuiltFile(blocks: 2, framesPerBlock: 5).bytes)
        #expect(mkdir(directory.path + "/b.bin", 0o755) == 0)
        var configuration = Fixtures.configuration()
        configuration.strict = true
        let out = directory.path + "/out"
        do {
            _ = try await Fixtures.run([directory.path], configuration: configuration, decoder: nil, output: .csv(directory: out))
            Issue.record("strict mode ignored an unreadable file")
        } catch PipelineError.fileUnreadable(let path, _) {
            #expect(path == directory.path + "/b.bin")
        } catch {
            Issue.record("\(error)")
        }
        #expect(Fixtures.listing(out).isEmpty)
    }

    /// In strict mode the first problem in file order wins: damage in a.bin
    /// comes before b.bin being unreadable, even when a.bin's results are
    /// still pending when b.bin's read fails.
    @Test func strictModeReportsEarlierDamageBeforeALaterUnreadableFile() async throws {
        let directory = TemporaryDirectory()
        var writer = try CANPFileWriter()
        for block in 0..<6 { try writer.appendBlock(FormatFixtures.payload(FormatFixtures.frames(count: 5, seed: UInt64(block)))) }
        writer.truncate(removingLast: 10)
        directory.write("a.bin", writer.bytes)
        #expect(mkdir(directory.path + "/b.bin", 0o755) == 0)
        var configuration = Fixtures.configuration()
        configuration.strict = true
        configuration.blocksPerTask = 1
        do {
            _ = try await Fixtures.run([directory.path], configuration: configuration, decoder: nil)
            Issue.record("strict mode did not stop")
        } catch PipelineError.damagedInput(let issue) {
            #expect(issue.file == "a.bin" && issue.block == 5 && issue.level == .record0)
        } catch {
            Issue.record("expected the damage in a.bin first, got \(error)")
        }
    }
}
