import Testing
@testable import Canp

@Suite("PartSummary")
struct PartSummaryTests {
    private func report(files: Int, frames: Int, reasons: [String: Int], seconds: Double, memory: Int) -> PipelineReport {
        var report = PipelineReport()
        report.files = files
        report.inputs = (0..<files).map { PipelineReport.Input(path: "d/\(frames)_\($0).bin", size: 100 + $0, format: "canp") }
        report.format.blocksDecoded = frames / 10
        report.format.framesDecoded = frames
        report.signals = frames * 3
        report.skippedByReason = reasons
        report.bytesRead = files * 100
        report.seconds = seconds
        report.peakResidentMemory = memory
        report.unreadableFiles = files == 2 ? [("d/\"gone\".bin", "No such file or directory")] : []
        return report
    }

    @Test func aRunSummaryReadsBackAsWritten() throws {
        let r = report(files: 2, frames: 500, reasons: ["level 0: gzip: CRC-32 mismatch": 2], seconds: 1.2345, memory: 42)
        let dbcs = [RunSummary.Database(path: "pt.dbc", channels: [0, 1], isJ1939: false), RunSummary.Database(path: "t.dbc", channels: [], isJ1939: true)]
        let text = RunSummary(report: r, part: 6, rowsWritten: ["frames": 500, "errors": 2, "signals/A": 7], databases: dbcs).json
        let summary = try PartSummary(json: Array(text.utf8))
        #expect(summary.part == 6 && summary.parts == nil && summary.files == 2 && summary.frames == 500 && summary.signals == 1500)
        #expect(summary.blocks == 50 && summary.skippedUnits == ["level 0: gzip: CRC-32 mismatch": 2] && summary.bytesRead == 200)
        #expect(summary.rowsWritten == ["frames": 500, "errors": 2, "signals/A": 7] && summary.wallSeconds == 1.235)
        #expect(summary.peakMemoryBytes == 42 && summary.inputs.count == 2 && summary.unreadableFiles.map(\.path) == ["d/\"gone\".bin"])
        #expect(summary.databases == dbcs)
        #expect(summary.json == text, "written again, the same text")
    }

    @Test func mergingAddsCountsUpAndKeepsTheLargestPeak() throws {
        let a = PartSummary(report: report(files: 2, frames: 500, reasons: ["x": 2, "y": 1], seconds: 1, memory: 42),
                            part: 0, rowsWritten: ["frames": 500, "errors": 3, "signals/A": 7])
        let b = PartSummary(report: report(files: 1, frames: 30, reasons: ["y": 4], seconds: 0.5, memory: 90),
                            part: 1, rowsWritten: ["frames": 30, "errors": 4, "signals/B": 1])
        var c = b
        c.databases = [RunSummary.Database(path: "x.dbc", channels: [2], isJ1939: false)]
        #expect(PartSummary.merged([c, a, c]).databases == c.databases, "each distinct DBC once")
        let merged = PartSummary.merged([a, b])
        #expect(merged.parts == 2 && merged.part == nil && merged.files == 3 && merged.frames == 530 && merged.blocks == 53)
        #expect(merged.signals == 1590 && merged.skippedUnits == ["x": 2, "y": 5] && merged.bytesRead == 300)
        #expect(merged.rowsWritten == ["frames": 530, "errors": 7, "signals/A": 7, "signals/B": 1])
        #expect(merged.inputs == a.inputs + b.inputs && merged.unreadableFiles.count == 1)
        #expect(merged.wallSeconds == 1.5 && merged.peakMemoryBytes == 90)
        #expect(merged.json.hasPrefix("{\"format_version\": 1, \"part\": null, \"parts\": 2,\n"))
        #expect(try PartSummary(json: Array(merged.json.utf8)) == merged)
    }

    @Test func aSummaryWithoutItsKeysIsRefusedNamingTheKey() {
        for (text, key) in [("{\"format_version\": 1}", "counts"), ("{\"format_version\": 2}", "format_version"), ("[]", "object")] {
            do {
                _ = try PartSummary(json: Array(text.utf8))
                Issue.record("\(text) was read as a summary")
            } catch {
                #expect(error.reason.contains(key), "\(error.reason)")
            }
        }
    }
}
