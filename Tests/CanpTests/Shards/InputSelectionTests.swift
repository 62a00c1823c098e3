import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

@Suite("InputSelection")
struct InputSelectionTests {
    /// Twelve files of sizes 1...12 named f00.bin...f11.bin in a directory.
    private func files(_ directory: TemporaryDirectory) -> [String] {
        (0..<12).map { directory.write("f" + ($0 < 10 ? "0" : "") + "\($0).bin", Array(repeating: 7, count: $0 + 1)) }
    }

    @Test func shardsOfADirectoryTakeContiguousSharesOfTheSortedList() throws {
        let directory = TemporaryDirectory()
        let all = files(directory)
        var union: [String] = []
        for index in 0..<5 {
            let share = try InputSelection.files(inputs: [InputPath(directory.path)], manifests: [],
                                                 shard: Shard(index: index, count: 5), directoryExtensions: ["bin"])
            union += share.map(\.path)
        }
        #expect(union == all)
        let third = try InputSelection.files(inputs: [InputPath(directory.path)], manifests: [],
                                             shard: Shard(index: 2, count: 5), directoryExtensions: ["bin"])
        #expect(third.map(\.name) == ["f04.bin", "f05.bin", "f06.bin"] && third.map(\.size) == [5, 6, 7])
    }

    @Test func manifestPathsJoinTheInputsAndAreSortedWithThem() throws {
        let directory = TemporaryDirectory()
        let all = files(directory)
        let manifest = directory.write("list.txt", Array((all[7] + "\n" + all[2] + "\n").utf8))
        let selected = try InputSelection.files(inputs: [InputPath(all[9])], manifests: [InputManifest(contentsOf: manifest)],
                                                shard: nil, directoryExtensions: ["bin"])
        #expect(selected.map(\.path) == [all[2], all[7], all[9]])
    }

    @Test func anEmptyManifestOrAnEmptyShareIsAnEmptyPart() throws {
        let directory = TemporaryDirectory()
        let all = files(directory)
        let empty = directory.write("empty.txt", [])
        #expect(try InputSelection.files(inputs: [], manifests: [InputManifest(contentsOf: empty)], shard: nil,
                                         directoryExtensions: ["bin"]).isEmpty)
        let one = directory.write("one.txt", Array((all[0] + "\n").utf8))
        let shares = try (0..<3).map { index in
            try InputSelection.files(inputs: [], manifests: [InputManifest(contentsOf: one)],
                                     shard: Shard(index: index, count: 3), directoryExtensions: ["bin"]).count
        }
        #expect(shares == [0, 0, 1])
    }

    @Test func nothingNamedWithoutAManifestIsStillAnError() {
        #expect(throws: PipelineError.self) {
            try InputSelection.files(inputs: [], manifests: [], shard: try Shard(index: 0, count: 2), directoryExtensions: ["bin"])
        }
    }

    @Test func anEmptyPartIsWrittenWithTablesAndSummary() async throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        let canp = try CANPipeline(configuration: PipelineFixtures.configuration(), decoder: PipelineFixtures.sampleDecoder)
        let report = try await canp.process(listed: [], to: ParquetSink(directory: out, part: 4))
        #expect(report.files == 0 && report.format.framesDecoded == 0)
        #expect(PipelineFixtures.listing(out + "/frames") == ["part-00004.parquet"])
        #expect(PipelineFixtures.listing(out + "/errors") == ["part-00004.parquet"])
        let summary = try PartSummary(json: PipelineFixtures.readBytes(out + "/_canp/summary-00004.json"))
        #expect(summary.part == 4 && summary.files == 0 && summary.rowsWritten == ["frames": 0, "errors": 0])
    }
}
