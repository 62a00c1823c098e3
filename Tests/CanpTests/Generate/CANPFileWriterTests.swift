import Foundation
import Testing
@testable import Canp

@Suite("CANPFileWriter")
struct CANPFileWriterTests {
    static func be32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func be64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        bytes[at..<(at + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    @Test func fillsTheRecord0HeaderAsTheSpecTableSays() throws {
        var writer = try CANPFileWriter()
        let frames = FormatFixtures.frames(count: 30, seed: 8)
        try writer.appendBlock(FormatFixtures.payload(Array(frames[0..<10])))
        try writer.appendBlock(FormatFixtures.payload(Array(frames[10..<30])))
        let bytes = writer.bytes
        #expect(writer.blockCount == 2)
        let len0 = Int(Self.be32(bytes, 31))
        let second = 35 + len0
        for (offset, sequence, part) in [(0, 0, frames[0..<10]), (second, 1, frames[10..<30])] {
            #expect(Array(bytes[offset..<(offset + 4)]) == Array("CANP".utf8))
            #expect(bytes[offset + 4] == 1 && bytes[offset + 5] == 0 && bytes[offset + 6] == 0)
            #expect(Self.be32(bytes, offset + 7) == UInt32(sequence))
            #expect(Self.be64(bytes, offset + 11) == part.map(\.timestamp).min())
            #expect(Self.be64(bytes, offset + 19) == part.map(\.timestamp).max())
            let member = Array(bytes[(offset + 35)..<(offset + 35 + Int(Self.be32(bytes, offset + 31)))])
            let inflated = try GzipInflater().inflate(member)
            #expect(Self.be32(bytes, offset + 27) == UInt32(inflated.count))
        }
        #expect(second + 35 + Int(Self.be32(bytes, second + 31)) == bytes.count)
    }

    @Test func lowerLevelsAreLaidOutAsTheSpecSays() throws {
        var sequence = FrameSequenceBuilder(channel: 2)
        let frame = CANFrame(
            timestamp: 0x0102_0304_0506_0708, identifier: 0x18FE_F1FE, flags: [.extended, .fd, .transmitted],
            channel: 2, data: [0xAA, 0xBB])
        sequence.append(frame)
        sequence.append(CANFrame(timestamp: 0x0102_0304_0506_0709, identifier: 0x10, channel: 2, data: []))
        var payload = BlockPayloadBuilder()
        payload.appendRecord1([sequence])
        let b = payload.bytes
        // Record1: SEQS, count of Record2, reserved, len1.
        #expect(Array(b[0..<4]) == Array("SEQS".utf8))
        #expect(Self.be32(b, 4) == 1)
        #expect(b[8..<16].allSatisfy { $0 == 0 })
        #expect(Int(Self.be32(b, 16)) == b.count - 20)
        // Record2: first timestamp, count of Record3, channel, reserved, len2.
        #expect(Self.be64(b, 20) == 0x0102_0304_0506_0708)
        #expect(Self.be32(b, 28) == 2)
        #expect(b[32] == 2 && b[33] == 0 && b[34] == 0 && b[35] == 0)
        #expect(Int(Self.be32(b, 36)) == b.count - 40)
        // Record3: len3 and the SocketCAN-like frame.
        #expect(Self.be32(b, 40) == 18)
        #expect(Self.be64(b, 44) == 0x0102_0304_0506_0708)
        #expect(Self.be32(b, 52) == 0x98FE_F1FE)
        #expect(b[56] == 0x09 && b[57] == 2 && b[58] == 2 && b[59] == 0)
        #expect(Array(b[60..<62]) == [0xAA, 0xBB])
        #expect(Self.be32(b, 62) == 16)
        #expect(b.count == 62 + 4 + 16)
        #expect(payload.timestampRange == 0x0102_0304_0506_0708...0x0102_0304_0506_0709)
        #expect(sequence.recordCount == 2 && sequence.encodedSize == 20 + 22 + 20)
    }

    @Test func writesTheFileToDisk() throws {
        var writer = try CANPFileWriter()
        try writer.appendBlock(FormatFixtures.payload(FormatFixtures.frames(count: 10)))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("canp-writer-\(getpid()).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writer.write(toPath: path)
        let read = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(read == writer.bytes)
        #expect(throws: CANPFileWriter.WriteFailure.io(path: "/nonexistent-dir/x.bin", errno: ENOENT)) {
            try writer.write(toPath: "/nonexistent-dir/x.bin")
        }
    }

    @Test func damageOptionsProduceTheirErrors() throws {
        let payload = FormatFixtures.payload(FormatFixtures.frames(count: 50))
        let cases: [(CANPFileWriter.Damage, FormatIssue.Reason?)] = [
            (.corruptChecksum, .gzip(.checksumMismatch)),
            (.corruptInflatedSize(delta: 5), .gzip(.sizeMismatch)),
            (.payloadLength(3), .gzip(.invalidData)),
        ]
        for (damage, reason) in cases {
            var writer = try CANPFileWriter()
            try writer.appendBlock(payload, damage: damage)
            let (_, batch, _) = try FormatFixtures.decode(writer.bytes)
            #expect(batch.issues.first?.reason == reason, "\(damage)")
        }
        var truncated = try CANPFileWriter()
        try truncated.appendBlock(payload)
        truncated.truncate(removingLast: 1)
        #expect(Record0Scanner.scan(truncated.bytes).truncatedTail != nil)
        truncated.truncate(removingLast: .max)
        #expect(truncated.bytes.isEmpty)
    }
}
