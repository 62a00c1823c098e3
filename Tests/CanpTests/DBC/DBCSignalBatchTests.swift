import Testing
@testable import Canp

@Suite struct DBCSignalBatchTests {
    static let decoder = try! parseDBC("""
        BO_ 1 M: 8 X
         SG_ A : 0|8@1+ (1,0) [0|0] "" X
         SG_ B : 8|8@1- (2,0) [0|0] "" X
         SG_ F : 32|32@1- (1,0) [0|0] "" X
        SIG_VALTYPE_ 1 F : 1;
        """).compile()

    @Test func appendsRowsAcrossFramesAndGrows() {
        var batch = DBCSignalBatch(capacity: 16)
        let frame: [UInt8] = [7, 0xFE, 0, 0] + withUnsafeBytes(of: Float(0.5).bitPattern.littleEndian, Array.init)
        for i in 0..<100 {
            let appended = frame.withUnsafeBytes {
                Self.decoder.decode(id: 1, isExtended: false, bytes: $0, frameIndex: UInt32(i), into: &batch)
            }
            #expect(appended == 3)
        }
        #expect(batch.count == 300 && batch.capacity >= 300)
        #expect(batch.frameIndex(at: 299) == 99)
        #expect(Self.decoder.signal(at: batch.signalIndex(at: 1)).name == "B")
        #expect(batch.rawValue(at: 1) == .signed(-2) && batch.value(at: 1) == -4)
        #expect(batch.rawValue(at: 2) == .float(0.5))
        batch.withUnsafeColumns { frames, signals, raws, kinds, values in
            #expect(frames.count == 300 && signals[3] == 0 && raws[3] == 7 && kinds[4] == .signed && values[5] == 0.5)
        }
        let capacity = batch.capacity
        batch.removeAll()
        #expect(batch.isEmpty && batch.capacity == capacity)
    }

    @Test func unknownIdentifierAppendsNothing() {
        var batch = DBCSignalBatch()
        let appended = [UInt8](repeating: 0, count: 8).withUnsafeBytes {
            Self.decoder.decode(id: 2, isExtended: false, bytes: $0, frameIndex: 0, into: &batch)
        }
        #expect(appended == 0 && batch.isEmpty)
    }

    @Test func rawSpanInput() {
        var batch = DBCSignalBatch()
        let bytes: [UInt8] = [9, 1]
        let appended = Self.decoder.decode(id: 1, isExtended: false, span: bytes.span.bytes, frameIndex: 5, into: &batch)
        #expect(appended == 2 && batch.rawValue(at: 0) == .unsigned(9) && batch.frameIndex(at: 1) == 5)
    }
}
