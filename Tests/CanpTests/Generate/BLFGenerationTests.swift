import Testing
@testable import Canp

/// `canp generate --format blf`: the same traffic written as BLF, read back by the BLF reader.
@Suite("BLF generation")
struct BLFGenerationTests {
    @Test func generatedBLFFilesReadBack() throws {
        let directory = TemporaryDirectory()
        var options = DatasetGenerator.Options(outputDirectory: directory.path)
        options.fileCount = 2
        options.fileSize = 300_000
        options.seed = 4
        options.format = .blf
        options.parallelism = 2
        let summary = try DatasetGenerator.run(options)
        #expect(summary.files.map { $0.path.hasSuffix(".blf") } == [true, true])
        let again = try DatasetGenerator.run(options)
        for (file, other) in zip(summary.files, again.files) {
            let bytes = try PipelineFixtures.readBytes(file.path)
            #expect(bytes == (try PipelineFixtures.readBytes(other.path)), "the same seed gives the same bytes")
            #expect(bytes.count == file.bytes && bytes.count >= options.fileSize)
            let decoded = try BLFFixtures.decode(bytes)
            #expect(decoded.issues.isEmpty)
            #expect(decoded.counts.framesDecoded == file.frames)
            #expect(decoded.counts.blocksDecoded == file.blocks)
            #expect(decoded.counts.busErrorEvents > 0 && (decoded.counts.ignored["BLF object type 65"] ?? 0) > 0)
            // A last container that holds only the end of an object has no object start to guess from.
            #expect(decoded.guessesFailed <= 1)
        }
    }

    @Test func damageIsForCANPOnly() {
        var options = DatasetGenerator.Options(outputDirectory: TemporaryDirectory().path)
        options.format = .blf
        options.damage = true
        #expect(throws: DatasetGenerator.Failure.self) { try DatasetGenerator.run(options) }
    }
}
