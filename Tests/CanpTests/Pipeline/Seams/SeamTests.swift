import Foundation
import Testing
@testable import Canp

/// The seams: a format and a sink that live only in the tests plug into the
/// pipeline as they are (DeltaLinesFormat.swift, RowListSink.swift).
@Suite("Seams")
struct SeamTests {
    static func frames(count: Int, seed: UInt64) -> [(delta: UInt64, id: UInt32, data: [UInt8])] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let length = Int(random.next() % 9)
            return (random.next() % 1000, UInt32(random.next() % 0x800),
                    (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
    }

    @Test(arguments: [1, 4]) func aTestFormatAndATestSinkPlugIn(blocksPerTask: Int) async throws {
        let directory = TemporaryDirectory()
        var expected: [String] = []
        for index in 0..<4 {
            let name = "log\(index).delta"
            let (text, rows) = DeltaLinesFormat.file(name, frames: Self.frames(count: 50 + 7 * index, seed: UInt64(index)))
            directory.write(name, Array(text.utf8))
            expected += rows
        }
        var configuration = PipelineFixtures.configuration()
        configuration.inputFormats = [DeltaLinesFormat()] + InputFormats.builtIn
        configuration.blocksPerTask = blocksPerTask
        configuration.decodesSignals = false
        let out = directory.path + "/rows.txt"
        let pipeline = try CANPipeline(configuration: configuration, decoder: nil)
        let report = try await pipeline.process([directory.path], to: RowListSink(path: out))
        let written = try PipelineFixtures.readText(out).split(separator: "\n").map(String.init)
        #expect(written == expected)
        #expect(report.format.framesDecoded == expected.count)
        #expect(report.inputs.map(\.format) == Array(repeating: "delta", count: 4))
        #expect(report.rowsWritten == ["rows": expected.count] && report.outputs == [out])
        #expect(PipelineFixtures.listing(directory.path).filter { $0.hasPrefix(".") }.isEmpty)
        // Chunks run two at a time, so chunks start before their predecessor
        // is delivered: some assumed a wrong start and were decoded again.
        #expect(blocksPerTask > 1 || report.chunksDecodedAgain > 0)
    }

    @Test func formatsAreDetectedPerFileAndCanBeForced() async throws {
        let directory = TemporaryDirectory()
        _ = try PipelineFixtures.generate(in: directory.path, files: 1, fileSize: 30_000)
        let (text, rows) = DeltaLinesFormat.file("a.delta", frames: Self.frames(count: 10, seed: 9))
        directory.write("a.delta", Array(text.utf8))
        var configuration = PipelineFixtures.configuration()
        configuration.inputFormats = [DeltaLinesFormat()] + InputFormats.builtIn
        let mixed = try await CANPipeline(configuration: configuration, decoder: nil).process([directory.path])
        #expect(mixed.inputs.map(\.format) == ["delta", "canp"])
        #expect(mixed.files == 2 && mixed.format.issueCount == 0)
        configuration.forcedInputFormat = "canp"
        let forced = try await CANPipeline(configuration: configuration, decoder: nil).process([directory.path + "/a.delta"])
        #expect(forced.inputs.map(\.format) == ["canp"] && forced.format.truncatedTails == 1 && rows.count == 10)
    }

    @Test func aLineThatDoesNotParseIsOneReportedIssue() async throws {
        let directory = TemporaryDirectory()
        directory.write("bad.delta", Array("DELTA\n5 10 AABB\nnonsense\n7 11 CC\n".utf8))
        var configuration = PipelineFixtures.configuration()
        configuration.inputFormats = [DeltaLinesFormat()]
        let out = directory.path + "/rows.txt"
        let report = try await CANPipeline(configuration: configuration, decoder: nil)
            .process([directory.path + "/bad.delta"], to: RowListSink(path: out))
        #expect(try PipelineFixtures.readText(out) == "error,bad.delta,2,line,line does not parse\nbad.delta,1,5,16,AABB\nbad.delta,3,12,17,CC\n")
        #expect(report.format.framesSkipped == 1 && report.issues.map(\.block) == [2])
    }
}
