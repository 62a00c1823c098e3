import Foundation
import Testing
@testable import Canp

@Suite("Part locks")
struct PartLockTests {
    @Test func partsOfOneDirectoryLockSeparately() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        let owned: (String) -> Bool = { _ in true }
        var first: OutputDirectory? = try OutputDirectory(path: out, lockName: ".canp-part-00000.lock", ownsTemporaryFile: owned)
        let second = try OutputDirectory(path: out, lockName: ".canp-part-00001.lock", ownsTemporaryFile: owned)
        #expect(throws: OutputError.self) { try OutputDirectory(path: out, lockName: ".canp-part-00000.lock", ownsTemporaryFile: owned) }
        first = nil
        _ = try OutputDirectory(path: out, lockName: ".canp-part-00000.lock", ownsTemporaryFile: owned)
        _ = first
        _ = second
    }

    @Test func aPartRemovesOnlyItsOwnTemporaryFiles() async throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        try OutputDirectory.makeDirectories(out + "/frames")
        try OutputDirectory.makeDirectories(out + "/_canp")
        let mine = ["frames/.part-00002.parquet.1.0", "_canp/.summary-00002.json.1.1"].map { $0 + AtomicOutputFile.partialSuffix }
        let theirs = ["frames/.part-00003.parquet.1.0", "_canp/.summary-00003.json.1.1"].map { $0 + AtomicOutputFile.partialSuffix }
        for name in mine + theirs { #expect(FileManager.default.createFile(atPath: out + "/" + name, contents: Data([1]))) }
        let canp = try CANPipeline(configuration: PipelineFixtures.configuration(), decoder: nil)
        _ = try await canp.process(listed: [], to: ParquetSink(directory: out, part: 2))
        for name in mine { #expect(access(out + "/" + name, F_OK) != 0, "\(name) is part 2's and is removed") }
        for name in theirs { #expect(access(out + "/" + name, F_OK) == 0, "\(name) is part 3's and is kept") }
        #expect(!PipelineFixtures.listing(out).contains { $0.hasSuffix(".lock") }, "the part's lock goes with it")
    }

    @Test func twoPartsWriteIntoOneDirectoryAtOnce() async throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        _ = try PipelineFixtures.generate(in: data, files: 4, fileSize: 80_000, seed: 3)
        let out = directory.path + "/out"
        let canp = try CANPipeline(configuration: PipelineFixtures.configuration(), decoder: nil)
        let extensions = canp.directoryExtensions
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<2 {
                group.addTask {
                    let files = try InputSelection.files(inputs: [InputPath(data)], manifests: [],
                                                         shard: Shard(index: index, count: 2), directoryExtensions: extensions)
                    let pipeline = try CANPipeline(configuration: PipelineFixtures.configuration(), decoder: nil)
                    _ = try await pipeline.process(listed: files, to: ParquetSink(directory: out, part: index))
                }
            }
            try await group.waitForAll()
        }
        #expect(try JobOutput(directory: out).merge(parts: 2).files == 4)
    }
}
