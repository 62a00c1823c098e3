import Testing
@testable import Canp

/// The ASC reader against the line shapes python-can's `ASCReader` reads
/// (`docs/INPUTS.md`, "Vector ASC"); expected rows were written by hand
/// (dates as UTC: Tue Nov 14 22:13:20.123 2023 is 1,700,000,000.123 s).
@Suite("ASC format")
struct ASCFormatTests {
    static let shapes = """
        date Tue Nov 14 22:13:20.123 2023
        base hex  timestamps absolute
        internal events logged
        // version 13.0.0
        Begin Triggerblock Tue Nov 14 22:13:20.123 2023
           0.000000 Start of measurement
           0.000100 1  123             Rx   d 3 01 02 03
           0.000200 2  18FEF1FEx       Tx   d 8 00 01 02 03 04 05 06 07  Length = 272000 BitCount = 141 ID = 419361278x
           0.000300 1  7FF             Rx   r 4
           0.000400 1  ErrorFrame
           0.000500 CANFD   3 Rx       100x                                   1 0 9 12 00 01 02 03 04 05 06 07 08 09 0A 0B        0    0     3000        0        0        0        0        0
           0.000600 CANFD   1 Tx       101  EngineData   0 1 8  8 11 22 33 44 55 66 77 88 0 0 1000 0 0 0 0 0
           0.000700 CANFD   1 Rx       102                                    0 0 0  0         0    0     1000        0        0        0        0        0
           0.000800 1  Statistic: D 0 R 0 XD 0 XR 0 E 0 O 0 B 0.00%
           0.000900 1  200             Rx   d 9 01 02 03 04 05 06 07 08 09 0A 0B 0C
        End TriggerBlock
        Begin Triggerblock Tue Mar 5 01:04:05.5 pm 2024
           1.000000000 1  1              Rx   d 0
           2.5 0  10  Rx  d 1 FF
        End TriggerBlock

        """

    @Test func everyLineShapeIsRead() {
        let run = TextFormatRun(ASCFormat(), text: Self.shapes, fileName: "t.asc")
        #expect(run.rows == [
            "6,1700000000123100000,0,0x123,0,0,0,0,0,010203",
            "7,1700000000123200000,1,0x18FEF1FE,1,0,0,0,0,0001020304050607",
            "8,1700000000123300000,0,0x7FF,0,1,0,0,0,",
            "10,1700000000123500000,2,0x100,1,0,1,1,0,000102030405060708090A0B",
            "11,1700000000123600000,0,0x101,0,0,1,0,1,1122334455667788",
            "12,1700000000123700000,0,0x102,0,1,1,0,0,",
            "14,1700000000123900000,0,0x200,0,0,0,0,0,0102030405060708",
            "17,1709643846500000000,0,0x1,0,0,0,0,0,",
            "18,1709643848000000000,-1,0x10,0,0,0,0,0,FF",
        ])
        #expect(run.issues.isEmpty)
        #expect(run.counts.busErrorEvents == 1)
        #expect(run.counts.ignored == ["comment": 1, "event": 2])
    }

    @Test func decimalBaseAndAHeaderDateWithoutFraction() {
        let text = """
            date Tue Nov 14 22:13:20 2023
            base dec  timestamps absolute
            no internal events logged
               0.5 1  291  Rx d 2 255 16
               0.6 1  291x  Rx d 1 7

            """
        let run = TextFormatRun(ASCFormat(), text: text, fileName: "t.asc")
        #expect(run.rows == ["3,1700000000500000000,0,0x123,0,0,0,0,0,FF10", "4,1700000000600000000,0,0x123,1,0,0,0,0,07"])
        #expect(run.issues.isEmpty)
    }

    static let damaged = [
        "   0.1 1  123 Rx d 8 01 02",
        "   0.1 1  800 Rx d 1 01",
        "   0.1 1  123 Rx d 1 1FF",
        "   0.1 CANFD 1 Rx 123 1 0 8 70 00",
        "   0.1 1  123 Rx",
        "Begin Triggerblock Tue Foo 14 22:13:20 2023",
        "   0.1234567891 1  123 Rx d 0",
        "   0.1 CANFD x Rx 123 1 0 8 8 00",
    ]

    @Test func eachDamagedLineIsOneIssueWithItsLineAndOffset() {
        let good = "   9.5 1  321 Rx d 1 AA"
        let lines = ["date Tue Nov 14 22:13:20 2023", good] + Self.damaged.flatMap { [$0, good] }
        let run = TextFormatRun(ASCFormat(), text: lines.joined(separator: "\r\n"), fileName: "t.asc")
        #expect(run.rows.count == Self.damaged.count + 1)
        #expect(run.rows.allSatisfy { $0.hasSuffix(",1700000009500000000,0,0x321,0,0,0,0,0,AA") })
        var offsets: [Int] = []
        var offset = 0
        for line in lines {
            offsets.append(offset)
            offset += line.utf8.count + 2
        }
        let expected = Array(stride(from: 2, to: lines.count, by: 2))
        #expect(run.issues.map(\.block) == expected)
        #expect(run.issues.map(\.offset) == expected.map { offsets[$0] })
        #expect(run.issues.allSatisfy { $0.level.name == "line" && $0.file == "t.asc" })
        #expect(run.counts.framesSkipped == Self.damaged.count)
    }

    @Test(arguments: [1, 13, 200, 1 << 16]) func chunksStartWithTheirTimeBase(chunkBytes: Int) {
        var text = "date Tue Nov 14 22:13:20 2023\nbase hex timestamps absolute\ninternal events logged\n"
        var expected: [String] = []
        var line = 3
        for block in 0..<6 {
            text += "Begin Triggerblock Wed Nov 15 0\(block):00:00.25 2023\n"
            line += 1
            for index in 0..<9 {
                text += "   \(index).000001 2  1\(index)\(block) Rx d 1 0\(index)\n"
                let base: UInt64 = 1_700_006_400_000_000_000 + UInt64(block) * 3_600_000_000_000 + 250_000_000
                expected.append("\(line),\(base + UInt64(index) * 1_000_000_000 + 1_000),1,0x1\(index)\(block),0,0,0,0,0,0\(index)")
                line += 1
            }
            text += "End TriggerBlock\n"
            line += 1
        }
        let run = TextFormatRun(ASCFormat(chunkBytes: chunkBytes), text: text, fileName: "t.asc", maximumFrames: 2)
        #expect(run.rows == expected)
        #expect(run.issues.isEmpty)
        #expect(chunkBytes > 100 || run.units.count > 20)
    }

    @Test func detectionLooksForAnASCHeader() {
        func matches(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { ASCFormat().matches(prefix: $0) }
        }
        #expect(matches("date Wed Dec 02 06:08:39.447 2026\nbase hex  timestamps absolute\n"))
        #expect(matches("\n// a comment\nbase hex  timestamps absolute\n"))
        #expect(matches("Begin Triggerblock Wed Dec 02 06:08:39.447 2026\n"))
        #expect(!matches("(1700000000.000000) can0 123#00\n"))
        #expect(!matches("dated text\n"))
        #expect(!matches(""))
    }

    @Test func datesReadAsPythonCanReadsThem() {
        func micros(_ text: String) -> Int64? {
            Array(text.utf8).withUnsafeBytes { ASCDate.microseconds(LineCursor($0)) }
        }
        #expect(micros("Tue Nov 14 22:13:20.123 2023") == 1_700_000_000_123_000)
        #expect(micros("Tue Mar 5 01:04:05.5 pm 2024") == 1_709_643_845_500_000)
        #expect(micros("Di Mär 5 12:00:01 AM 2024") == 1_709_596_801_000_000)
        #expect(micros("x 3 5 12:00:01 am 2024") == 1_709_596_801_000_000)
        #expect(micros("Thu Feb 30 00:00:00 2024") == nil)
        #expect(micros("Thu Jan 1 00:00:00 1969") == nil)
        #expect(micros("Thu Jan 1 13:00:00 PM 2024") == nil)
        #expect(micros("Thu Jan 1 00:00:00 2024 extra") == nil)
    }
}

