import Foundation
import Testing
@testable import Canp

/// The pipeline under its memory limit (`docs/ARCHITECTURE.md`, "Memory"):
/// it waits for memory only when something will give it back, and a unit
/// that cannot fit is one skipped, reported unit.
/// Whether this is the default build (the sanitizer runs of `scripts/test` set `CANP_SANITIZE`).
let isPlainBuild = ProcessInfo.processInfo.environment["CANP_SANITIZE"] == nil

@Suite("CANPipeline memory", .enabled(if: isPlainBuild, "tens of MB of data: run in the default build, not under the sanitizers"))
struct CANPipelineMemoryTests {
    /// A block of `frames` identical 8-byte frames (28 bytes each inflated,
    /// so 2.4 M frames make 67 MB: above the 64 MiB the pipeline once capped
    /// blocks at).
    static func denseFile(frames: Int) throws -> [UInt8] {
        var record = [UInt8]()
        CANFrame(timestamp: 1_700_000_000_000_000_000, identifier: 0x100, data: [1, 2, 3, 4, 5, 6, 7, 8]).append(to: &record)
        var records = [UInt8]()
        records.reserveCapacity(frames * (record.count + 4))
        let length = UInt32(record.count).bigEndianBytes
        for _ in 0..<frames { records += length + record }
        var record2: [UInt8] = UInt64(0).bigEndianBytes + UInt32(frames).bigEndianBytes + [0, 0, 0, 0]
        record2 += UInt32(records.count).bigEndianBytes
        var stream = Array("SEQS".utf8) + UInt32(1).bigEndianBytes + [UInt8](repeating: 0, count: 8)
        stream += UInt32(record2.count + records.count).bigEndianBytes
        stream += record2
        stream += records
        var writer = try CANPFileWriter(compressionLevel: 1)
        try writer.appendBlock(inflated: stream, firstTimestamp: 0, lastTimestamp: 0)
        return writer.bytes
    }

    /// Runs with a watchdog: a run that hangs fails the test instead of the suite.
    static func runWithin(_ seconds: Int, _ body: @escaping @Sendable () async throws -> PipelineReport) async throws -> PipelineReport {
        try await withThrowingTaskGroup(of: PipelineReport?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds) * 1_000_000_000)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let report = first else { throw PipelineError.resources("no end after \(seconds) s: the run hangs") }
            return report
        }
    }

    /// Issue 12, finding 1: three 15 MB files under 29 MiB, where one file,
    /// the one read ahead and the inflate buffers just exceed the limit:
    /// the run used to wait forever at 0% CPU.
    @Test func aFileAndItsUnitsJustOverTheLimitDoNotHang() async throws {
        let directory = TemporaryDirectory()
        let summary = try PipelineFixtures.generate(in: directory.path, files: 3, fileSize: 15_000_000, seed: 21)
        let path = directory.path
        let report = try await Self.runWithin(300) {
            try await PipelineFixtures.run([path], configuration: PipelineFixtures.configuration(memoryLimit: 29 << 20),
                                           decoder: nil)
        }
        #expect(report.files == 3 && report.format.framesDecoded == summary.totalFrames)
        #expect(report.format.issueCount == 0)
    }

    /// Issue 12, finding 5: a valid block too large for the limit is one
    /// skipped unit, reported with the reason; the other files are decoded.
    @Test func aBlockThatCannotFitIsOneReportedUnit() async throws {
        let directory = TemporaryDirectory()
        directory.write("a-big.bin", try Self.denseFile(frames: 800_000))
        let small = try PipelineFixtures.handBuiltFile(blocks: 3, framesPerBlock: 10)
        directory.write("b-small.bin", small.bytes)
        let path = directory.path
        let report = try await Self.runWithin(300) {
            try await PipelineFixtures.run([path], configuration: PipelineFixtures.configuration(memoryLimit: 16 << 20),
                                           decoder: nil)
        }
        #expect(report.files == 2 && report.unreadableFiles.isEmpty)
        #expect(report.format.framesDecoded == 30 && report.format.blocksDecoded == 3 && report.format.blocksSkipped == 1)
        let issue = try #require(report.issues.first)
        #expect(issue.file == "a-big.bin" && issue.block == 0 && issue.offset == 0 && issue.level == .record0)
        #expect(issue.reason.description.hasPrefix("needs 22400056 bytes of memory to decode, more than the memory limit of 16777216"))
    }

    /// Issue 12, finding 5: blocks above the old fixed 64 MiB inflate cap are
    /// decoded when the limit allows; the frames of such a block are
    /// decoded in slices, not all at once.
    @Test func aBlockAbove64MiBIsDecodedWhenTheLimitAllows() async throws {
        let directory = TemporaryDirectory()
        directory.write("huge.bin", try Self.denseFile(frames: 2_500_000))
        let path = directory.path
        let report = try await Self.runWithin(600) {
            try await PipelineFixtures.run([path], configuration: PipelineFixtures.configuration(memoryLimit: 256 << 20),
                                           decoder: nil)
        }
        #expect(report.format.blocksDecoded == 1 && report.format.framesDecoded == 2_500_000)
        #expect(report.format.inflatedBytes == 40 + 2_500_000 * 28 && report.format.inflatedBytes > 64 << 20)
        #expect(report.issues.isEmpty)
    }
}

extension FixedWidthInteger {
    /// The value's bytes, most significant first.
    var bigEndianBytes: [UInt8] { withUnsafeBytes(of: bigEndian) { Array($0) } }
}
