import Foundation
import Testing
@testable import Canp

/// The Parquet sink on a real pipeline: the layout of spec/PARQUET.md, the
/// summary, reruns that replace the part and remove its stale tables, and
/// a failed run that leaves nothing under a final name. (The tables' content
/// is checked against the CSV exports by scripts/parquet_conformance.)
@Suite("ParquetSink", .serialized)
struct ParquetSinkTests {
    static func scratch(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("canp-parquet-sink-\(getpid())-\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func files(under directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".parquet") || $0.hasSuffix(".json") || $0.hasSuffix(".canp-partial") }.sorted()
    }

    @Test func aRunWritesThePartsAndTheSummaryLast() async throws {
        let data = Self.scratch("data"), out = Self.scratch("out")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        _ = try PipelineFixtures.generate(in: data, files: 2, fileSize: 120_000, damage: true)
        let decoder = PipelineFixtures.sampleDecoder
        let pipeline = try CANPipeline(configuration: PipelineFixtures.configuration(), decoder: decoder)
        let sink = ParquetSink(directory: out, part: 7, compression: .snappy)
        let report = try await pipeline.process([data], to: sink)

        let written = Self.files(under: out)
        #expect(written.contains("frames/part-00007.parquet") && written.contains("errors/part-00007.parquet"))
        #expect(written.contains("_canp/summary-00007.json"))
        #expect(!written.contains { $0.hasSuffix(".canp-partial") })
        // One table per message that occurred, named by the layout.
        let tables = written.filter { $0.hasPrefix("signals/") }.map { String($0.dropFirst(8).dropLast("/part-00007.parquet".count)) }
        let layout = try ParquetSink.layout(inputNames: report.inputs.map { ($0.path as NSString).lastPathComponent }, decoder: decoder)
        #expect(Set(tables).isSubset(of: Set(layout.signalTables.map(\.directoryName))))
        #expect(!tables.isEmpty)
        #expect(report.rowsWritten["frames"] == report.format.framesDecoded)
        #expect(report.rowsWritten["errors"] == report.format.issueCount)
        #expect(report.rowsWritten.keys.filter { $0.hasPrefix("signals/") }.sorted() == tables.map { "signals/" + $0 }.sorted())
        #expect(report.rowsWritten.filter { $0.key.hasPrefix("signals/") }.values.reduce(0, +) == report.framesWithSignals)
        #expect(report.outputs.last == out + "/_canp/summary-00007.json")

        let summary = try String(contentsOfFile: out + "/_canp/summary-00007.json", encoding: .utf8)
        let json = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as! [String: Any]
        #expect(json["format_version"] as? Int == 1 && json["part"] as? Int == 7)
        let counts = json["counts"] as! [String: Any]
        #expect(counts["frames"] as? Int == report.format.framesDecoded && counts["signals"] as? Int == report.signals)
        #expect((counts["skipped_units"] as! [String: Int]).values.reduce(0, +) == report.format.issueCount)
        #expect((json["rows_written"] as! [String: Int]) == report.rowsWritten)
        #expect((json["inputs"] as! [[String: Any]]).count == 2 && json["bytes_read"] as? Int == report.bytesRead)
    }

    @Test func aRerunReplacesThePartAndRemovesItsStaleTables() async throws {
        let data = Self.scratch("rerun-data"), out = Self.scratch("rerun-out")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        _ = try PipelineFixtures.generate(in: data, files: 1, fileSize: 80_000)
        let withDBC = try CANPipeline(configuration: PipelineFixtures.configuration(), decoder: PipelineFixtures.sampleDecoder)
        _ = try await withDBC.process([data], to: ParquetSink(directory: out))
        _ = try await withDBC.process([data], to: ParquetSink(directory: out, part: 1))
        let first = Self.files(under: out)
        #expect(first.filter { $0.hasPrefix("signals/") && $0.hasSuffix("part-00000.parquet") }.count > 3)

        // Part 0 again without a DBC: its message tables go; part 1's stay.
        let withoutDBC = try CANPipeline(configuration: PipelineFixtures.configuration(), decoder: nil)
        let report = try await withoutDBC.process([data], to: ParquetSink(directory: out))
        let second = Self.files(under: out)
        #expect(!second.contains { $0.hasPrefix("signals/") && $0.hasSuffix("part-00000.parquet") })
        #expect(second.filter { $0.hasPrefix("signals/") && $0.hasSuffix("part-00001.parquet") }.count
                == first.filter { $0.hasPrefix("signals/") && $0.hasSuffix("part-00001.parquet") }.count)
        #expect(second.contains("frames/part-00000.parquet") && second.contains("_canp/summary-00000.json"))
        #expect(report.rowsWritten.keys.sorted() == ["errors", "frames"])
    }

    @Test func aRunThatCannotWriteLeavesNothingUnderAFinalName() async throws {
        let data = Self.scratch("fail-data"), out = Self.scratch("fail-out")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        _ = try PipelineFixtures.generate(in: data, files: 1, fileSize: 80_000)
        // `frames` is a file, so frames/part-00000.parquet cannot be made.
        #expect(FileManager.default.createFile(atPath: out + "/frames", contents: Data([1])))
        let pipeline = try CANPipeline(configuration: PipelineFixtures.configuration(), decoder: PipelineFixtures.sampleDecoder)
        await #expect(throws: PipelineError.self) {
            _ = try await pipeline.process([data], to: ParquetSink(directory: out))
        }
        #expect(Self.files(under: out).isEmpty, "\(Self.files(under: out))")
    }
}
