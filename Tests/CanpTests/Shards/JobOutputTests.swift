import Foundation
import Testing
@testable import Canp

@Suite("JobOutput")
struct JobOutputTests {
    /// Three generated files (one damaged) written as `parts` shards into `out`; returns the single run's report.
    private func writeParts(_ directory: TemporaryDirectory, parts: Int) async throws -> (out: String, single: PipelineReport) {
        let data = directory.path + "/data"
        _ = try PipelineFixtures.generate(in: data, files: 3, fileSize: 60_000, seed: 11, damage: true)
        let decoder = try PipelineFixtures.decoder(data + "/fleet.dbc")
        let out = directory.path + "/out"
        let canp = try CANPipeline(configuration: PipelineFixtures.configuration(), decoder: decoder)
        for index in 0..<parts {
            let files = try InputSelection.files(inputs: [InputPath(data)], manifests: [], shard: Shard(index: index, count: parts),
                                                 directoryExtensions: canp.directoryExtensions)
            _ = try await canp.process(listed: files, to: ParquetSink(directory: out, part: index))
        }
        let single = try await canp.process([data], to: DiscardingSink())
        return (out, single)
    }

    @Test func mergesThePartsIntoTheSingleRunsCounts() async throws {
        let directory = TemporaryDirectory()
        let (out, single) = try await writeParts(directory, parts: 4)
        let output = JobOutput(directory: out)
        #expect(output.partsFound() == 4)
        let merged = try output.merge(parts: 4)
        #expect(merged.parts == 4 && merged.part == nil)
        #expect(merged.files == single.files && merged.blocks == single.format.blocksDecoded)
        #expect(merged.frames == single.format.framesDecoded && merged.signals == single.signals)
        #expect(merged.skippedUnits == single.skippedByReason && !merged.skippedUnits.isEmpty)
        #expect(merged.bytesRead == single.bytesRead && merged.inputs.map(\.path) == single.inputs.map(\.path))
        #expect(merged.rowsWritten["frames"] == single.format.framesDecoded)
        let text = try PipelineFixtures.readText(output.mergedSummaryPath)
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(json["parts"] as? Int == 4 && json["part"] is NSNull)
        let partKeys = Set((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/_canp/summary-00001.json"))) as! [String: Any]).keys)
        #expect(Set(json.keys) == partKeys.union(["parts"]), "the keys of a part's summary, and parts")
        #expect(try PartSummary(json: Array(text.utf8)) == merged)
    }

    @Test func aMissingPartIsNamedAndNoMergedSummaryIsLeft() async throws {
        let directory = TemporaryDirectory()
        let (out, _) = try await writeParts(directory, parts: 4)
        let output = JobOutput(directory: out)
        _ = try output.merge(parts: 4)
        #expect(unlink(out + "/_canp/summary-00002.json") == 0)
        do {
            _ = try output.merge(parts: 4)
            Issue.record("a job without part 2 was merged")
        } catch {
            guard case .partsIncomplete(_, let problems) = error else { Issue.record("\(error)"); return }
            #expect(problems.count == 1 && problems[0].hasPrefix("part 2 is missing: no _canp/summary-00002.json"), "\(problems)")
            #expect(problems[0].contains("its run did not finish"))
        }
        #expect(access(output.mergedSummaryPath, F_OK) != 0, "the earlier merged summary is removed")
        #expect(throws: ShardError.self) { try output.merge(parts: 5) }
    }

    @Test func incompleteAndExtraPartsAreNamed() async throws {
        let directory = TemporaryDirectory()
        let (out, _) = try await writeParts(directory, parts: 3)
        let output = JobOutput(directory: out)
        #expect(unlink(out + "/frames/part-00001.parquet") == 0)
        let partial = out + "/errors/.part-00000.parquet.123.4" + AtomicOutputFile.partialSuffix
        #expect(FileManager.default.createFile(atPath: partial, contents: Data([1])))
        do {
            _ = try output.merge(parts: 2)
            Issue.record("an incomplete job was merged")
        } catch {
            guard case .partsIncomplete(_, let problems) = error else { Issue.record("\(error)"); return }
            #expect(problems.contains { $0.hasPrefix("part 0 is incomplete: a temporary file is left") && $0.contains("errors/.part-00000") })
            #expect(problems.contains("part 1 is incomplete: its summary names frames/part-00001.parquet, which is missing"))
            #expect(problems.contains { $0.hasPrefix("part 2 is there, but the job has 2 part(s)") })
            #expect(problems.count == 3, "\(problems)")
        }
    }

    @Test func aDamagedSummaryIsNamed() async throws {
        let directory = TemporaryDirectory()
        let (out, _) = try await writeParts(directory, parts: 2)
        directory.write("out/_canp/summary-00001.json", Array("{\"format_version\": 1, \"part\": 1".utf8))
        do {
            _ = try JobOutput(directory: out).merge(parts: 2)
            Issue.record("a cut summary was merged")
        } catch {
            #expect(error.description.contains("part 1 is incomplete: _canp/summary-00001.json: not JSON"), "\(error)")
        }
    }

    @Test func partNumbersOfNames() {
        #expect(JobOutput.partNumber("part-00012.parquet", prefix: "part-", suffix: ".parquet") == 12)
        #expect(JobOutput.partNumber("part-0012.parquet", prefix: "part-", suffix: ".parquet") == nil)
        #expect(JobOutput.partNumber("part-000a2.parquet", prefix: "part-", suffix: ".parquet") == nil)
        #expect(JobOutput.temporaryPart(".part-00003.parquet.77.0.canp-partial") == 3)
        #expect(JobOutput.temporaryPart(".summary-00009.json.77.0.canp-partial") == 9)
        #expect(JobOutput.temporaryPart(".summary.json.77.0.canp-partial") == nil)
        #expect(JobOutput.temporaryPart("part-00003.parquet") == nil)
    }
}
