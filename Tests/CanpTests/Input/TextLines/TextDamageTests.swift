import Testing
@testable import Canp

/// Damaged text logs: lines hit by random byte changes are reported or still
/// read; every line that was not touched decodes as before.
@Suite("Text damage")
struct TextDamageTests {
    static func generated(_ format: String) throws -> String {
        let directory = TemporaryDirectory()
        var options = DatasetGenerator.Options(outputDirectory: directory.path)
        options.fileSize = 60_000
        options.format = DatasetGenerator.FileFormat(rawValue: format)!
        options.parallelism = 1
        let summary = try DatasetGenerator.run(options)
        return try PipelineFixtures.readText(summary.files[0].path)
    }

    @Test(arguments: ["candump", "asc"]) func untouchedLinesDecodeAsBefore(format: String) throws {
        let text = try Self.generated(format)
        let reader: any InputFormat = format == "asc" ? ASCFormat(chunkBytes: 4_000) : CandumpFormat(chunkBytes: 4_000)
        let clean = TextFormatRun(reader, text: text)
        #expect(clean.issues.isEmpty && clean.rows.count > 500)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) }
        var random = SplitMix64(seed: 77)
        var touched = Set<Int>()
        let junk: [UInt8] = Array("Z#.x( )_\r9".utf8)
        for _ in 0..<60 {
            let line = 6 + Int(random.next() % UInt64(lines.count - 8))
            guard !lines[line].isEmpty else { continue }
            let at = Int(random.next() % UInt64(lines[line].count))
            lines[line][at] = junk[Int(random.next() % UInt64(junk.count))]
            touched.insert(line)
        }
        let damaged = String(decoding: Array(lines.joined(separator: [0x0A])), as: UTF8.self)
        let run = TextFormatRun(reader, text: damaged)
        let block = { (row: String) in Int(row.prefix { $0 != "," })! }
        #expect(run.rows.filter { !touched.contains(block($0)) } == clean.rows.filter { !touched.contains(block($0)) })
        #expect(run.issues.allSatisfy { touched.contains($0.block) && $0.level == FormatIssue.Level.line })
        #expect(!run.issues.isEmpty)
        #expect(run.counts.framesSkipped == run.issues.count)
    }
}
