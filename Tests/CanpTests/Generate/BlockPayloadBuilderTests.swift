import Testing
@testable import Canp

@Suite("BlockPayloadBuilder")
struct BlockPayloadBuilderTests {
    @Test func record1CountsItsSequencesAndTracksTimestamps() {
        var a = FrameSequenceBuilder()
        a.append(CANFrame(timestamp: 30, identifier: 1, data: []))
        a.append(CANFrame(timestamp: 10, identifier: 1, data: []))
        var b = FrameSequenceBuilder(channel: 1)
        b.append(CANFrame(timestamp: 50, identifier: 2, data: [1, 2]))
        var payload = BlockPayloadBuilder()
        payload.appendRecord1([a, b])
        payload.appendRecord1([], declaredLength: 7)
        #expect(payload.record1Count == 2)
        #expect(payload.timestampRange == 10...50)
        let len1 = Int(payload.bytes[16..<20].reduce(0) { $0 << 8 | UInt32($1) })
        #expect(len1 == a.encodedSize + b.encodedSize)
        let second = 20 + len1
        #expect(payload.bytes[(second + 4)..<(second + 8)].reduce(0) { $0 << 8 | UInt32($1) } == 0)
        #expect(payload.bytes[(second + 16)..<(second + 20)].reduce(0) { $0 << 8 | UInt32($1) } == 7)
        #expect(payload.bytes.count == second + 20)
    }
}
