import Foundation
import Testing
@testable import Canp

@Suite("CSVByteWriter")
struct CSVByteWriterTests {
    static func field(_ text: String) -> String {
        var writer = CSVByteWriter()
        writer.appendField(text)
        return writer.text
    }

    @Test func quotesOnlyWhatRFC4180Requires() {
        #expect(Self.field("plain") == "plain")
        #expect(Self.field("") == "")
        #expect(Self.field("with space") == "with space")
        #expect(Self.field("a,b") == "\"a,b\"")
        #expect(Self.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(Self.field("\"") == "\"\"\"\"")
        #expect(Self.field("line\nbreak") == "\"line\nbreak\"")
        #expect(Self.field("cr\rhere") == "\"cr\rhere\"")
        #expect(Self.field("Zündung, an") == "\"Zündung, an\"")
        #expect(CSVByteWriter.encodedField("x,y") == Array("\"x,y\"".utf8))
    }

    @Test func rowsEndWithLineFeed() {
        var writer = CSVByteWriter(capacity: 1)
        writer.appendRow(["a", "b,c", ""])
        writer.appendRow(["d"])
        #expect(writer.text == "a,\"b,c\",\nd\n")
        #expect(writer.count == writer.bytes.count)
    }

    @Test func formatsIntegers() {
        var writer = CSVByteWriter()
        for value: UInt64 in [0, 9, 10, 99, 100, 1_700_000_000_000_000_000, .max] {
            writer.appendDecimal(value)
            writer.appendComma()
        }
        writer.appendDecimal(Int64.min)
        writer.appendComma()
        writer.appendDecimal(-42)
        writer.appendComma()
        writer.appendFlag(true)
        writer.appendFlag(false)
        #expect(writer.text == "0,9,10,99,100,1700000000000000000,18446744073709551615,-9223372036854775808,-42,10")
    }

    @Test func formatsHex() {
        var writer = CSVByteWriter()
        for value: UInt64 in [0, 0xF, 0x7FF, 0x18FE_F1FE, .max] {
            writer.appendHexadecimal(value)
            writer.appendComma()
        }
        [0x00, 0x0A, 0xFF, 0x5c].map { UInt8($0) }.withUnsafeBytes { writer.appendHexBytes(unsafeBytes: $0) }
        writer.appendComma()
        [UInt8]().withUnsafeBytes { writer.appendHexBytes(unsafeBytes: $0) }
        #expect(writer.text == "0x0,0xF,0x7FF,0x18FEF1FE,0xFFFFFFFFFFFFFFFF,000AFF5C,")
    }

    @Test func formatsDoublesAsShortestRoundTrip() {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (100, "100.0"), (-0.0, "-0.0"), (1e-5, "1e-05"), (1e16, "1e+16"), (0.0001, "0.0001"),
            (123.456, "123.456"), (.infinity, "inf"), (-.infinity, "-inf"), (0.1 + 0.2, "0.30000000000000004"),
        ]
        for (value, text) in cases {
            var writer = CSVByteWriter()
            writer.appendDouble(value)
            #expect(writer.text == text)
        }
        var nan = CSVByteWriter()
        nan.appendDouble(.nan)
        #expect(nan.text == "nan")
        var rng = SplitMix64(seed: 9)
        for _ in 0..<2000 {
            let value = Double(bitPattern: rng.next())
            guard value.isFinite else { continue }
            var writer = CSVByteWriter()
            writer.appendDouble(value)
            #expect(Double(writer.text) == value)
        }
    }

    @Test func growsPastItsInitialCapacity() {
        var writer = CSVByteWriter(capacity: 16)
        for k in 0..<10_000 { writer.appendDecimal(k); writer.appendNewline() }
        let lines = writer.text.split(separator: "\n")
        #expect(lines.count == 10_000 && lines.last == "9999")
        writer.removeAll()
        #expect(writer.isEmpty == true)
    }

    @Test func flushesToAFileDescriptor() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("canp-csv-\(getpid()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        var writer = CSVByteWriter()
        writer.appendRow(["x", "1"])
        try writer.flush(toFileDescriptor: fd)
        #expect(writer.isEmpty == true)
        writer.appendRow(["y", "2"])
        try writer.flush(toFileDescriptor: fd)
        close(fd)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "x,1\ny,2\n")
        writer.appendRow(["z"])
        #expect(throws: CSVByteWriter.FlushFailure.io(errno: EBADF)) { try writer.flush(toFileDescriptor: -1) }
        #expect(writer.text == "z\n", "bytes stay after a failed flush")
    }
}
