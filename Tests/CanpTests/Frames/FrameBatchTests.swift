import Testing
@testable import Canp

@Suite("FrameBatch")
struct FrameBatchTests {
    @Test func columnsAgreeAndPointIntoTheInflatedBlock() throws {
        let frames = FormatFixtures.frames(count: 64, seed: 21)
        var writer = try CANPFileWriter()
        try writer.appendBlock(FormatFixtures.payload(frames))
        let (_, batch, inflated) = try FormatFixtures.decode(writer.bytes)
        #expect(batch.count == 64)
        for column in [batch.identifiers.count, batch.flags.count, batch.channels.count, batch.lengths.count,
                       batch.dataOffsets.count, batch.blocks.count] {
            #expect(column == 64)
        }
        inflated[0].withUnsafeBytes { block in
            for (row, frame) in frames.enumerated() {
                #expect(Array(batch.unsafeData(ofFrame: row, in: block)) == frame.data)
                #expect(batch.rawIdentifier(ofFrame: row) == frame.rawIdentifier)
                // The data sits right after the 16-byte fixed part, whose byte 14 is the length.
                #expect(block[Int(batch.dataOffsets[row]) - 2] == UInt8(frame.data.count))
            }
        }
    }

    @Test func removeAllResetsEverything() throws {
        var writer = try CANPFileWriter()
        try writer.appendBlock(FormatFixtures.payload(FormatFixtures.frames(count: 5)))
        writer.appendRawBytes([1])
        var (_, batch, _) = try FormatFixtures.decode(writer.bytes)
        #expect(batch.count == 5 && batch.issues.count == 1 && batch.segments.count == 1)
        batch.removeAll(keepingCapacity: false)
        #expect(batch.isEmpty && batch.issues.isEmpty && batch.segments.isEmpty && batch.counts == FormatCounts())
    }
}
