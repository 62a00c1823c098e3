import Testing
@testable import Canp

/// The text log writers read back by the text readers: every frame as it was
/// written (a remote frame without data, an ASC CAN FD frame of length 0 as
/// a remote frame, as python-can reads it).
@Suite("Text log writers")
struct TextLogWriterTests {
    static func expectedRow(_ frame: CANFrame, line: Int, asc: Bool) -> String {
        var decoded = FormatFixtures.DecodedFrame(frame)
        if decoded.flags.contains(.remoteRequest) { decoded.data = [] }
        if asc && decoded.flags.contains(.fd) && decoded.data.isEmpty { decoded.flags.insert(.remoteRequest) }
        if decoded.flags.contains(.remoteRequest) && !asc { decoded.flags.remove(.fd) }
        if asc && decoded.flags.contains(.remoteRequest) && !frame.data.isEmpty { decoded.flags.remove(.fd) }
        let bits = [FrameFlags.extended, .remoteRequest, .fd, .bitRateSwitch, .errorStateIndicator]
            .map { decoded.flags.contains($0) ? "1" : "0" }.joined(separator: ",")
        let data = decoded.data.map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined()
        return "\(line),\(decoded.timestamp),\(decoded.channel),0x\(String(decoded.identifier, radix: 16, uppercase: true)),\(bits),\(data)"
    }

    @Test func candumpLinesReadBackAsWritten() {
        let frames = FormatFixtures.frames(count: 500, seed: 11, start: FormatFixtures.baseTime + 123)
        var writer = CandumpLogWriter()
        for frame in frames { writer.append(frame) }
        let run = TextFormatRun(CandumpFormat(chunkBytes: 999), text: String(decoding: writer.bytes, as: UTF8.self))
        #expect(run.rows == frames.enumerated().map { Self.expectedRow($1, line: $0, asc: false) })
        #expect(run.issues.isEmpty && writer.lineCount == 500)
    }

    @Test func ascLinesReadBackAsWritten() {
        let frames = FormatFixtures.frames(count: 500, seed: 12, start: FormatFixtures.baseTime + 456_789)
        var writer = ASCLogWriter()
        for frame in frames { writer.append(frame) }
        writer.finish()
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.hasPrefix("date Tue Nov 14 22:13:20.000 2023\nbase hex  timestamps absolute\n"))
        let run = TextFormatRun(ASCFormat(chunkBytes: 777), text: text, fileName: "t.asc")
        #expect(run.rows == frames.enumerated().map { Self.expectedRow($1, line: $0 + 5, asc: true) })
        #expect(run.issues.isEmpty && run.counts.ignored == ["event": 1])
    }

    @Test func datesAreWrittenAsUTC() {
        #expect(ASCLogWriter.date(milliseconds: 1_700_000_000_123) == "Tue Nov 14 22:13:20.123 2023")
        #expect(ASCLogWriter.date(milliseconds: 951_782_400_005) == "Tue Feb 29 00:00:00.005 2000")
        #expect(ASCLogWriter.date(milliseconds: 0) == "Thu Jan 01 00:00:00.000 1970")
    }
}
