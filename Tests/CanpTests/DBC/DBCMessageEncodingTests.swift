import Testing
@testable import Canp

@Suite struct DBCMessageEncodingTests {
    static let database = try! parseDBC("""
        BO_ 1 M: 16 X
         SG_ Speed : 0|16@1+ (0.25,0) [0|16383.75] "rpm" X
         SG_ Temp : 23|8@0- (1,-40) [-40|215] "degC" X
         SG_ Torque : 37|12@0- (0.5,0) [0|0] "" X
         SG_ F : 64|32@1- (1,0) [0|0] "" X
         SG_ Wide : 100|20@1+ (1,0) [0|0] "" X
        SIG_VALTYPE_ 1 F : 1;
        """)

    @Test func encodeThenDecodeRoundTrips() {
        let message = Self.database.messages[0]
        let decoder = Self.database.compile()
        let values = ["Speed": 1165.0, "Temp": -12.0, "Torque": -300.5, "F": 3.25, "Wide": 1_000_000.0]
        let bytes = message.encode(values)
        #expect(bytes.count == 16)
        #expect(bytes[0] == 0x34 && bytes[1] == 0x12, "1165 / 0.25 = 0x1234, little-endian")
        #expect(bytes[2] == 28, "-12 - (-40) = 28")
        let decoded = decodeFrame(decoder, 1, bytes)
        for (name, value) in values { #expect(decoded[name]?.value == value, "\(name)") }
    }

    @Test func valuesAreClampedToTheRawRange() {
        let message = Self.database.messages[0]
        let decoded = decodeFrame(Self.database.compile(), 1, message.encode(["Speed": 1e9, "Temp": -1000, "Torque": 5000, "Wide": -3]))
        #expect(decoded["Speed"]?.raw == .unsigned(65535))
        #expect(decoded["Temp"]?.raw == .signed(-128))
        #expect(decoded["Torque"]?.raw == .signed(2047))
        #expect(decoded["Wide"]?.raw == .unsigned(0))
    }

    @Test func roundingIsHalfToEven() {
        let signal = Self.database.messages[0].signals[0]
        #expect(signal.rawValue(forPhysical: 0.625) == .unsigned(2), "2.5 rounds to 2")
        #expect(signal.rawValue(forPhysical: 0.875) == .unsigned(4), "3.5 rounds to 4")
    }

    @Test func rawSixtyFourBitRoundTrip() throws {
        let db = try parseDBC("""
            BO_ 2 N: 10 X
             SG_ U : 3|64@1+ (1,0) [0|0] "" X
             SG_ S : 79|8@0- (1,0) [0|0] "" X
            """)
        let bytes = db.messages[0].encode(rawValues: ["U": .unsigned(0xFEDC_BA98_7654_3210), "S": .signed(-7)], padding: 0xFF)
        let decoded = decodeFrame(db.compile(), 2, bytes)
        #expect(decoded["U"]?.raw == .unsigned(0xFEDC_BA98_7654_3210))
        #expect(decoded["S"]?.raw == .signed(-7))
        #expect(bytes[0] & 0x07 == 0x07, "padding stays in bits without a signal")
    }

    @Test func randomRoundTripsInBothByteOrders() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let length = Int.random(in: 1...64, using: &generator)
            let bigEndian = Bool.random(using: &generator)
            let signed = Bool.random(using: &generator)
            let start: Int
            if bigEndian {
                let msb = Int.random(in: 0...(128 - length), using: &generator)
                start = (msb / 8) * 8 + 7 - msb % 8
            } else {
                start = Int.random(in: 0...(128 - length), using: &generator)
            }
            var signal = DBCSignal(name: "S", startBit: start, length: length,
                                   byteOrder: bigEndian ? .bigEndian : .littleEndian, isSigned: signed)
            signal.line = 1
            let message = DBCMessage(id: 1, isExtended: false, name: "M", length: 16, signals: [signal])
            let bits = UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64(64 - length)
            let raw: DBCRawValue = signed ? .signed((Int64(bitPattern: bits) << (64 - length)) >> (64 - length)) : .unsigned(bits)
            let bytes = message.encode(rawValues: ["S": raw], padding: UInt8.random(in: 0...255, using: &generator))
            let decoded = DBCDatabase(messages: [message]).compile().decode(id: 1, isExtended: false, bytes: bytes)
            #expect(decoded.first?.raw == raw, "start \(start) length \(length) bigEndian \(bigEndian)")
        }
    }
}
