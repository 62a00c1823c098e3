import Foundation
import Testing
@testable import Canp

@Suite("RunSummary")
struct RunSummaryTests {
    @Test func theJSONHasTheKeysOfTheSpecAndParses() throws {
        var report = PipelineReport()
        report.files = 1
        report.inputs = [PipelineReport.Input(path: "dir/\"odd\"\\name\n.bin", size: 15_000_711, format: "canp")]
        report.format.blocksDecoded = 1496
        report.format.framesDecoded = 1_117_830
        report.signals = 5_833_742
        report.skippedByReason = ["gzip: CRC-32 does not match": 1, "frame: \u{1}": 2]
        report.bytesRead = 15_000_711
        report.seconds = 0.2149
        report.peakResidentMemory = 96_468_992
        let text = RunSummary(report: report, part: 3, rowsWritten: ["frames": 1_117_830, "errors": 1, "signals/EngineData": 74_522]).json
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(json["format_version"] as? Int == 1 && json["part"] as? Int == 3)
        let input = (json["inputs"] as! [[String: Any]])[0]
        #expect(input["path"] as? String == "dir/\"odd\"\\name\n.bin" && input["size"] as? Int == 15_000_711 && input["format"] as? String == "canp")
        let counts = json["counts"] as! [String: Any]
        #expect(counts["files"] as? Int == 1 && counts["blocks"] as? Int == 1496 && counts["frames"] as? Int == 1_117_830)
        #expect(counts["signals"] as? Int == 5_833_742 && counts["bus_error_events"] as? Int == 0)
        #expect(counts["skipped_units"] as? [String: Int] == ["gzip: CRC-32 does not match": 1, "frame: \u{1}": 2])
        #expect(json["rows_written"] as? [String: Int] == ["frames": 1_117_830, "errors": 1, "signals/EngineData": 74_522])
        #expect(json["bytes_read"] as? Int == 15_000_711 && json["wall_seconds"] as? Double == 0.215)
        #expect(json["peak_memory_bytes"] as? Int == 96_468_992)
        #expect(text.hasSuffix("}\n") && text.contains("\\u0001"))
    }
}
