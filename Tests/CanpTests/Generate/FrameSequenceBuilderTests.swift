import Testing
@testable import Canp

@Suite("FrameSequenceBuilder")
struct FrameSequenceBuilderTests {
    @Test func overridesLetTheHeaderLie() {
        var sequence = FrameSequenceBuilder(channel: 7, firstTimestamp: 99)
        sequence.append(CANFrame(timestamp: 5, identifier: 1, data: [1]), recordLength: 100)
        sequence.appendRecord3(payload: [1, 2, 3])
        sequence.appendRawBytes([0xFF])
        var bytes: [UInt8] = []
        sequence.append(to: &bytes, declaredLength: 1234)
        #expect(bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) } == 99)
        #expect(bytes[8..<12].reduce(0) { $0 << 8 | UInt32($1) } == 2)
        #expect(bytes[12] == 7)
        #expect(bytes[16..<20].reduce(0) { $0 << 8 | UInt32($1) } == 1234)
        #expect(bytes[20..<24].reduce(0) { $0 << 8 | UInt32($1) } == 100)
        #expect(bytes.count == 20 + 4 + 17 + 4 + 3 + 1)
        #expect(sequence.timestampRange == 5...5)
    }

    @Test func emptySequenceHasTimestampZero() {
        var bytes: [UInt8] = []
        FrameSequenceBuilder().append(to: &bytes)
        #expect(bytes == [UInt8](repeating: 0, count: 20))
    }
}
