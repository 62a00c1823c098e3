import Testing
@testable import Canp

/// The candump reader against the line shapes of `docs/INPUTS.md` ("candump
/// log"); expected rows are written from the spec by hand.
@Suite("Candump format")
struct CandumpFormatTests {
    static let shapes = """
        (1700000000.123456) can0 123#11223344 R
        (1700000000.5) vcan12 18FEF1FE#0102030405060708 T
        (0.000000001) can1 7FF#R
        (2.000000) can1 001#R5
        (3.000000) can1 00000100#R8_F
        (4.100000) can2 100##1000102030405060708090A0B
        (4.200000) can2 101##300.11.22
        (4.300000) can2 1FFFFFFF##4
        (5.000000) can0 200#11.22.33.44.55.66.77.88_C
        (6.000000) can0 20000080#0000000000000000
        (7.000000) any 0AB#

        (8.000000)\tcan3\t0AC#FF\r
        """

    @Test func everyLineShapeIsRead() {
        let run = TextFormatRun(CandumpFormat(), text: Self.shapes)
        #expect(run.rows == [
            "0,1700000000123456000,0,0x123,0,0,0,0,0,11223344",
            "1,1700000000500000000,12,0x18FEF1FE,1,0,0,0,0,0102030405060708",
            "2,1,1,0x7FF,0,1,0,0,0,",
            "3,2000000000,1,0x1,0,1,0,0,0,",
            "4,3000000000,1,0x100,1,1,0,0,0,",
            "5,4100000000,2,0x100,0,0,1,1,0,000102030405060708090A0B",
            "6,4200000000,2,0x101,0,0,1,1,1,001122",
            "7,4300000000,2,0x1FFFFFFF,1,0,1,0,0,",
            "8,5000000000,0,0x200,0,0,0,0,0,1122334455667788",
            "10,7000000000,0,0xAB,0,0,0,0,0,",
            "12,8000000000,3,0xAC,0,0,0,0,0,FF",
        ])
        #expect(run.issues.isEmpty)
        #expect(run.counts.busErrorEvents == 1 && run.counts.framesDecoded == 11 && run.counts.framesSkipped == 0)
        #expect(run.counts.blocksDecoded == 1)
    }

    static let damaged = [
        "(1.0) can0 123#112",          // odd number of hex digits
        "(1.0) can0 1234#11",          // 4-digit id
        "(1.0) can0 800#11",           // 11-bit id above 0x7FF
        "(1.0) can0 123#112233445566778899",  // 9 classic bytes
        "1.0 can0 123#11",             // no parenthesis
        "(1.0000000001) can0 123#11",  // 10 fraction digits
        "(1.0) can0 123#11 X",         // unknown direction
        "(1.0) can0 123#1G",           // not hex
        "(1.0) can0 123",              // no #
        "(1.0) can0 123#1122_C",       // _dlc after fewer than 8 bytes
        "(1.0) can0 123##",            // FD without flags
        "(1.0) can0 123#R9",           // remote length 9
        "(1.0) can0 40000000#11",      // 29-bit field with the RTR bit
    ]

    @Test func eachDamagedLineIsOneIssueWithItsLineAndOffset() {
        let good = "(9.5) can0 321#AA"
        let lines = [good] + Self.damaged.flatMap { [$0, good] }
        let text = lines.joined(separator: "\n") + "\n"
        let run = TextFormatRun(CandumpFormat(), text: text)
        #expect(run.rows.count == Self.damaged.count + 1)
        #expect(run.rows.allSatisfy { $0.hasSuffix(",9500000000,0,0x321,0,0,0,0,0,AA") })
        var offsets: [Int] = []
        var offset = 0
        for line in lines {
            offsets.append(offset)
            offset += line.utf8.count + 1
        }
        #expect(run.issues.map(\.block) == Array(stride(from: 1, to: lines.count, by: 2)))
        #expect(run.issues.map(\.offset) == stride(from: 1, to: lines.count, by: 2).map { offsets[$0] })
        #expect(run.issues.allSatisfy { $0.level.name == "line" && $0.file == "t.log" })
        #expect(run.issues[0].reason.description == "line does not parse: odd number of hex digits")
        #expect(run.counts.framesSkipped == Self.damaged.count)
    }

    @Test(arguments: [1, 7, 40, 1 << 16]) func chunksKeepLineNumbersExact(chunkBytes: Int) {
        var lines: [String] = []
        var expected: [String] = []
        for index in 0..<300 {
            if index % 17 == 3 {
                lines.append("")
                continue
            }
            if index % 23 == 5 {
                lines.append("(1.0) can0 12#")
                continue
            }
            let id = String(index, radix: 16, uppercase: true).leftPadded(3)
            lines.append("(\(index).25) can\(index % 3) \(id)#\(String(index % 256, radix: 16, uppercase: true).leftPadded(2))")
            expected.append("\(index),\(UInt64(index) * 1_000_000_000 + 250_000_000),\(index % 3),0x\(String(index, radix: 16, uppercase: true)),0,0,0,0,0,\(String(index % 256, radix: 16, uppercase: true).leftPadded(2))")
        }
        let run = TextFormatRun(CandumpFormat(chunkBytes: chunkBytes), text: lines.joined(separator: "\n"),
                                maximumFrames: 3)
        #expect(run.rows == expected)
        #expect(run.issues.map(\.block) == (0..<300).filter { $0 % 23 == 5 && $0 % 17 != 3 })
        #expect(run.counts.blocksDecoded == run.units.count)
        #expect(chunkBytes > 100 || run.units.count > 10)
        let covered = run.units.reduce(0) { $0 + $1.length }
        #expect(covered == lines.joined(separator: "\n").utf8.count)
    }

    @Test func detectionLooksAtTheFirstNonBlankLine() {
        func matches(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { CandumpFormat().matches(prefix: $0) }
        }
        #expect(matches("(1700000000.000000) can0 123#00\n"))
        #expect(matches("\n  \r\n(1.5) vcan0 18FEF1FE##1AA R\n"))
        #expect(!matches("date Wed Dec 02 06:08:39.447 2026\n"))
        #expect(!matches("(1.5)can0 123#00\n"))
        #expect(!matches("(1.5) can0 12300\n"))
        #expect(!matches("\u{1F}\u{8B}\u{08}"))
        #expect(!matches(""))
    }

    @Test func newlinesAreCountedExactly() {
        var random = SplitMix64(seed: 3)
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000] {
            let bytes = (0..<length).map { _ in [0x0A, 0x0B, 0x8A, 0x00, 0xFF, 0x41][Int(random.next() % 6)] as UInt8 }
            bytes.withUnsafeBytes { buffer in
                for start in [0, min(3, length)] {
                    #expect(TextLines.countNewlines(in: buffer, start..<length) == bytes[start...].filter { $0 == 0x0A }.count)
                }
            }
        }
    }
}
