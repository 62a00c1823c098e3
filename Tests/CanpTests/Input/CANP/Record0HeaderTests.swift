import Testing
@testable import Canp

@Suite("Record0Header")
struct Record0HeaderTests {
    @Test func bytesFollowTheSpecTable() {
        let header = Record0Header(
            sequenceNumber: 0x0102_0304, firstTimestamp: 0x1112_1314_1516_1718, lastTimestamp: 0x2122_2324_2526_2728,
            inflatedSize: 0x3132_3334, payloadLength: 0x4142_4344)
        var bytes: [UInt8] = []
        header.append(to: &bytes)
        #expect(bytes.count == Record0Header.size)
        #expect(Array(bytes[0..<4]) == Array("CANP".utf8))
        #expect(bytes[4] == 1)
        #expect(Array(bytes[5..<7]) == [0, 0])
        #expect(Array(bytes[7..<11]) == [1, 2, 3, 4])
        #expect(Array(bytes[11..<19]) == [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18])
        #expect(Array(bytes[19..<27]) == [0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28])
        #expect(Array(bytes[27..<31]) == [0x31, 0x32, 0x33, 0x34])
        #expect(Array(bytes[31..<35]) == [0x41, 0x42, 0x43, 0x44])
        let parsed = bytes.withUnsafeBytes { Record0Header(unsafeAt: $0.baseAddress!, offset: 0) }
        #expect(parsed == header)
    }
}
