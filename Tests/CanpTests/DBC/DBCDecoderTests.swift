import Testing
@testable import Canp

/// Decodes one frame and returns name → (raw, value, label).
func decodeFrame(_ decoder: DBCDecoder, _ id: UInt32, extended: Bool = false, _ bytes: [UInt8])
    -> [String: (raw: DBCRawValue, value: Double, label: String?)] {
    var result: [String: (raw: DBCRawValue, value: Double, label: String?)] = [:]
    for s in decoder.decode(id: id, isExtended: extended, bytes: bytes) { result[s.name] = (s.raw, s.value, s.label) }
    return result
}

func names(_ decoder: DBCDecoder, _ id: UInt32, extended: Bool = false, _ bytes: [UInt8]) -> [String] {
    decoder.decode(id: id, isExtended: extended, bytes: bytes).map(\.name)
}

@Suite struct DBCDecoderTests {
    /// Found by fuzz-dbc: a start bit beyond Int32 trapped while compiling.
    @Test func absurdStartBitsCompileAndDecodeNothing() throws {
        let database = try parseDBC("""
            BO_ 1 M: 8 X
             SG_ Far : 99999999999|8@1+ (1,0) [0|0] "" X
             SG_ FarMotorola : 99999999999|8@0+ (1,0) [0|0] "" X
             SG_ Near : 0|8@1+ (1,0) [0|0] "" X
            """)
        let decoder = database.compile()
        #expect(names(decoder, 1, [7, 0, 0, 0, 0, 0, 0, 0]) == ["Near"])
        #expect(database.messages[0].encode(["Far": 1, "Near": 3]) == [3, 0, 0, 0, 0, 0, 0, 0])
    }

    /// The pipeline decodes payloads in place, reading up to 16 bytes past
    /// them: whatever those bytes hold, the rows equal the copying decode's.
    @Test(arguments: [false, true])
    func inPlaceDecodeIgnoresTheBytesAfterThePayload(fleet: Bool) throws {
        let database = try parseDBC(fleet ? SampleDatabase.text : """
            BO_ 1 Mixed: 64 X
             SG_ A : 0|16@1+ (0.25,0) [0|0] "" X
             SG_ B : 23|12@0- (0.5,-3) [0|0] "" X
             SG_ C : 61|3@1+ (1,0) [0|0] "" X
             SG_ D : 63|1@0+ (1,0) [0|0] "" X
             SG_ E : 500|12@1- (1,0) [0|0] "" X
             SG_ F : 503|8@0+ (2,1) [0|0] "" X
             SG_ G : 4|64@1- (1,0) [0|0] "" X
             SG_ H : 7|63@0+ (1,0) [0|0] "" X
            BO_ 2 Muxed: 8 X
             SG_ Mux M : 0|8@1+ (1,0) [0|0] "" X
             SG_ Low m0 : 8|16@1+ (1,0) [0|0] "" X
             SG_ High m1 : 56|8@0+ (0.1,0) [0|0] "" X
            """)
        let decoder = database.compile()
        var random = SplitMix64(seed: fleet ? 11 : 12)
        let padding = DBCDecoder.payloadPadding
        var copied = DBCSignalBatch(capacity: 16)
        var inPlace = DBCSignalBatch(capacity: 16)
        var rows = 0
        for round in 0..<4_000 {
            let message = round % database.messages.count
            let count = Int(random.next() % 65)
            // The payload ends `padding` bytes before the end of its allocation.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count + padding, alignment: 1)
            defer { buffer.deallocate() }
            for i in 0..<buffer.count { buffer[i] = UInt8(truncatingIfNeeded: random.next()) }
            copied.removeAll()
            inPlace.removeAll()
            let a = decoder.decode(messageAt: message, bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<count]),
                                   frameIndex: UInt32(round), into: &copied)
            let b = decoder.decode(messageAt: message, paddedPayload: UnsafeRawPointer(buffer.baseAddress!),
                                   count: count, frameIndex: UInt32(round), into: &inPlace)
            #expect(a == b)
            for row in 0..<min(a, b) {
                #expect(copied.signalIndex(at: row) == inPlace.signalIndex(at: row))
                #expect(String(reflecting: copied.rawValue(at: row)) == String(reflecting: inPlace.rawValue(at: row)))
                #expect(copied.value(at: row).bitPattern == inPlace.value(at: row).bitPattern)
                #expect(copied.frameIndex(at: row) == inPlace.frameIndex(at: row))
            }
            rows += a
        }
        #expect(rows > 4_000)
    }

    /// The bits of a signal, read one by one as the DBC format defines them:
    /// Intel from the start bit upwards, Motorola from the start bit (its
    /// most significant bit) downwards within a byte and on into the next.
    private static func referenceRaw(_ payload: [UInt8], start: Int, length: Int, motorola: Bool, signed: Bool) -> Int64? {
        var bits: UInt64 = 0
        var position = start
        for i in 0..<length {
            guard position >= 0, position < payload.count * 8 else { return nil }
            let bit = UInt64(payload[position / 8] >> (position % 8) & 1)
            if motorola {
                bits = bits << 1 | bit
                position = position % 8 == 0 ? position + 15 : position - 1
            } else {
                bits |= bit << UInt64(i)
                position += 1
            }
        }
        if signed && length < 64 && bits >> UInt64(length - 1) & 1 == 1 { bits |= ~0 << UInt64(length) }
        return Int64(bitPattern: bits)
    }

    /// Messages of 1 to 9 integer signals at random places (both byte
    /// orders, signed and unsigned, 1 to 56 bits), their frames decoded
    /// back to back into one batch: every row equals a bit-by-bit reading,
    /// whatever the message before it wrote past its own rows.
    @Test func integerSignalsOfMessagesOfEveryLengthMatchABitByBitReading() throws {
        var random = SplitMix64(seed: 0xFA57)
        var text = ""
        var layouts: [[(start: Int, length: Int, motorola: Bool, signed: Bool, scale: Double, offset: Double)]] = []
        for m in 0..<9 {
            text += "BO_ \(100 + m) M\(m): 8 X\n"
            var signals: [(start: Int, length: Int, motorola: Bool, signed: Bool, scale: Double, offset: Double)] = []
            while signals.count < m + 1 {
                let length = 1 + Int(random.next() % 56)
                let start = Int(random.next() % 64)
                let motorola = random.next() % 2 == 0
                let signed = random.next() % 2 == 0
                guard Self.referenceRaw([UInt8](repeating: 0, count: 8), start: start, length: length,
                                        motorola: motorola, signed: signed) != nil else { continue }
                let scale = [1, 0.5, 0.1, 2.5][Int(random.next() % 4)]
                let offset = [0, -40, 0.25][Int(random.next() % 3)]
                text += " SG_ S\(signals.count) : \(start)|\(length)@\(motorola ? 0 : 1)\(signed ? "-" : "+") (\(scale),\(offset)) [0|0] \"\" X\n"
                signals.append((start, length, motorola, signed, scale, offset))
            }
            layouts.append(signals)
        }
        let decoder = try parseDBC(text).compile()
        var batch = DBCSignalBatch(capacity: 4)
        var expected: [(frame: UInt32, raw: Int64, value: Double, signed: Bool)] = []
        for frame in 0..<3_000 {
            let m = Int(random.next() % 9)
            let payload = (0..<8).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let added = payload.withUnsafeBytes { bytes in
                decoder.decode(messageAt: m, bytes: bytes, frameIndex: UInt32(frame), into: &batch)
            }
            #expect(added == layouts[m].count)
            for s in layouts[m] {
                let raw = try #require(Self.referenceRaw(payload, start: s.start, length: s.length, motorola: s.motorola, signed: s.signed))
                expected.append((UInt32(frame), raw, Double(raw) * s.scale + s.offset, s.signed))
            }
        }
        #expect(batch.count == expected.count)
        for row in 0..<min(batch.count, expected.count) {
            let want = expected[row]
            #expect(batch.frameIndex(at: row) == want.frame)
            #expect(batch.rawValue(at: row) == (want.signed ? .signed(want.raw) : .unsigned(UInt64(bitPattern: want.raw))))
            #expect(batch.value(at: row) == want.value)
        }
    }

    @Test func intelUnsignedAndSigned() throws {
        let decoder = try parseDBC("""
            BO_ 1 M: 8 X
             SG_ U : 0|16@1+ (0.25,0) [0|0] "" X
             SG_ S : 20|12@1- (0.5,10) [0|0] "" X
             SG_ Bit : 63|1@1+ (1,0) [0|0] "" X
            """).compile()
        // U = 0x1234; S = bits 20..31 = 0xFFF (-1); Bit = bit 7 of byte 7.
        let d = decodeFrame(decoder, 1, [0x34, 0x12, 0xF0, 0xFF, 0, 0, 0, 0x80])
        #expect(d["U"]?.raw == .unsigned(0x1234) && d["U"]?.value == 1165.0)
        #expect(d["S"]?.raw == .signed(-1) && d["S"]?.value == 9.5)
        #expect(d["Bit"]?.raw == .unsigned(1))
    }

    @Test func motorolaUnsignedAndSigned() throws {
        let decoder = try parseDBC("""
            BO_ 2 M: 8 X
             SG_ Word : 7|16@0+ (1,0) [0|0] "" X
             SG_ Nibbles : 19|12@0+ (1,0) [0|0] "" X
             SG_ Neg : 37|10@0- (1,0) [0|0] "" X
            """).compile()
        // Word: bytes 0-1 big-endian. Nibbles: low nibble of byte 2 and byte 3 (MSB at bit 19).
        // Neg: MSB at bit 37 (byte 4, bit 5): bits 5..0 of byte 4 then bits 7..4 of byte 5 = 10_0000_0000b = -512.
        let d = decodeFrame(decoder, 2, [0x12, 0x34, 0xAB, 0xCD, 0x20, 0x00, 0, 0])
        #expect(d["Word"]?.raw == .unsigned(0x1234))
        #expect(d["Nibbles"]?.raw == .unsigned(0xBCD))
        #expect(d["Neg"]?.raw == .signed(-512) && d["Neg"]?.value == -512)
    }

    @Test func floatAndDouble() throws {
        let decoder = try parseDBC("""
            BO_ 3 M: 16 X
             SG_ F : 0|32@1- (2,1) [0|0] "" X
             SG_ D : 71|64@0- (1,0) [0|0] "" X
            SIG_VALTYPE_ 3 F : 1;
            SIG_VALTYPE_ 3 D : 2;
            """).compile()
        var bytes = [UInt8](repeating: 0, count: 16)
        let f = Float(1.5).bitPattern, d = (-2.25).bitPattern
        for i in 0..<4 { bytes[i] = UInt8(truncatingIfNeeded: f >> (8 * UInt32(i))) }            // little-endian
        for i in 0..<8 { bytes[8 + i] = UInt8(truncatingIfNeeded: d >> (8 * UInt64(7 - i))) }  // big-endian
        let r = decodeFrame(decoder, 3, bytes)
        #expect(r["F"]?.raw == .float(1.5) && r["F"]?.value == 4.0)
        #expect(r["D"]?.raw == .float(-2.25) && r["D"]?.value == -2.25)
    }

    @Test func sixtyFourBitSignalsAreExact() throws {
        let decoder = try parseDBC("""
            BO_ 4 M: 8 X
             SG_ U : 0|64@1+ (1,0) [0|0] "" X
            BO_ 5 N: 8 X
             SG_ S : 7|64@0- (1,0) [0|0] "" X
            """).compile()
        let ones = [UInt8](repeating: 0xFF, count: 8)
        #expect(decodeFrame(decoder, 4, ones)["U"]?.raw == .unsigned(.max))
        #expect(decodeFrame(decoder, 4, ones)["U"]?.value == 18_446_744_073_709_551_615.0)
        #expect(decodeFrame(decoder, 5, ones)["S"]?.raw == .signed(-1))
        let pattern: [UInt8] = [0x80, 0, 0, 0, 0, 0, 0, 1]
        #expect(decodeFrame(decoder, 5, pattern)["S"]?.raw == .signed(Int64.min + 1))
    }

    @Test func sixtyFourBitSignalsAcrossNineBytes() throws {
        let decoder = try parseDBC("""
            BO_ 6 Fd: 12 X
             SG_ Intel : 4|64@1+ (1,0) [0|0] "" X
            BO_ 7 Fd2: 12 X
             SG_ Moto : 4|64@0+ (1,0) [0|0] "" X
            """).compile()
        let value: UInt64 = 0x0123_4567_89AB_CDEF
        // Intel at bit 4: the 72-bit little-endian integer of bytes 0...8 is value << 4.
        let intel = UInt128(value) << 4
        let intelBytes = (0..<12).map { $0 < 9 ? UInt8(truncatingIfNeeded: intel >> (8 * UInt128($0))) : 0 }
        #expect(decodeFrame(decoder, 6, intelBytes)["Intel"]?.raw == .unsigned(value))
        // Motorola with its MSB at bit 4 (network bit 3): bytes 0...8 big-endian hold value << (72 - 3 - 64).
        let moto = UInt128(value) << 5
        let motoBytes = (0..<12).map { $0 < 9 ? UInt8(truncatingIfNeeded: moto >> (8 * UInt128(8 - $0))) : 0 }
        #expect(decodeFrame(decoder, 7, motoBytes)["Moto"]?.raw == .unsigned(value))
    }

    @Test func integralScaleIsComputedExactly() throws {
        // offset -2^53: raw 2^53 + 1 gives exactly 1; in doubles 2^53 + 1 rounds to 2^53 and gives 0.
        let decoder = try parseDBC("""
            BO_ 8 M: 8 X
             SG_ Big : 0|64@1+ (1,-9007199254740992) [0|0] "" X
             SG_ Low : 0|8@1+ (0.1,0) [0|0] "" X
            """).compile()
        let raw: UInt64 = (1 << 53) + 1
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: raw >> (8 * UInt64($0))) }
        let d = decodeFrame(decoder, 8, bytes)
        #expect(d["Big"]?.value == 1.0)
        #expect(d["Low"]?.value == 1.0 * 0.1, "Python computes float(raw) * scale + offset")
    }

    @Test func simpleMultiplexing() throws {
        let decoder = try parseDBC("""
            BO_ 9 M: 8 X
             SG_ One m1 : 8|8@1+ (1,0) [0|0] "" X
             SG_ Sel M : 0|8@1+ (1,0) [0|0] "" X
             SG_ Two m2 : 8|16@1+ (1,0) [0|0] "" X
             SG_ Always : 24|8@1+ (1,0) [0|0] "" X
            """).compile()
        #expect(names(decoder, 9, [1, 0xAA, 0xBB, 0xCC]) == ["One", "Sel", "Always"])
        #expect(decodeFrame(decoder, 9, [1, 0xAA, 0xBB, 0xCC])["One"]?.raw == .unsigned(0xAA))
        #expect(names(decoder, 9, [2, 0xAA, 0xBB, 0xCC]) == ["Sel", "Two", "Always"])
        #expect(decodeFrame(decoder, 9, [2, 0xAA, 0xBB, 0xCC])["Two"]?.raw == .unsigned(0xBBAA))
        // A selector value that selects nothing: the multiplexer and the unmultiplexed signals.
        #expect(names(decoder, 9, [3, 0xAA, 0xBB, 0xCC]) == ["Sel", "Always"])
    }

    @Test func extendedMultiplexingWithRanges() throws {
        // Expected sets checked with cantools 45.1.0 (decode_choices=False, allow_truncated=True).
        let decoder = try parseDBC("""
            BO_ 100 Ext: 8 A
             SG_ S0 M : 0|4@1+ (1,0) [0|0] "" A
             SG_ S1 m0M : 4|4@1+ (1,0) [0|0] "" A
             SG_ S2 m3 : 8|8@1+ (1,0) [0|0] "" A
             SG_ S3 m1 : 8|8@1+ (1,0) [0|0] "" A
             SG_ Plain : 16|8@1+ (1,0) [0|0] "" A
            SG_MUL_VAL_ 100 S1 S0 0-0;
            SG_MUL_VAL_ 100 S2 S1 2-4, 6-6;
            SG_MUL_VAL_ 100 S3 S0 1-2;
            """).compile()
        #expect(names(decoder, 100, [0x30, 0xAA, 0x55]) == ["S0", "S1", "S2", "Plain"])
        #expect(names(decoder, 100, [0x60, 0xAA, 0x55]) == ["S0", "S1", "S2", "Plain"])
        #expect(names(decoder, 100, [0x50, 0xAA, 0x55]) == ["S0", "S1", "Plain"])
        #expect(names(decoder, 100, [0x02, 0xAA, 0x55]) == ["S0", "S3", "Plain"])
        #expect(names(decoder, 100, [0x01, 0xAA]) == ["S0", "S3"])
    }

    @Test func multiplexerOfAMissingOrPlainSignalSelectsNothing() throws {
        let decoder = try parseDBC("""
            BO_ 11 M: 8 X
             SG_ Code m : 6|2@1+ (1,0) [0|3] "" X
             SG_ Child m2 : 0|6@1+ (1,0) [0|63] "" X
             SG_ Plain : 8|8@1+ (1,0) [0|0] "" X
            SG_MUL_VAL_ 11 Child Code 2-2;
            """).compile()
        #expect(names(decoder, 11, [0x80, 1]) == ["Code", "Plain"])
    }

    @Test func truncatedAndLongFrames() throws {
        let decoder = try parseDBC("""
            BO_ 12 M: 4 X
             SG_ A : 0|8@1+ (1,0) [0|0] "" X
             SG_ B : 7|16@0+ (1,0) [0|0] "" X
             SG_ C : 16|16@1+ (1,0) [0|0] "" X
             SG_ Outside : 32|8@1+ (1,0) [0|0] "" X
            """).compile()
        #expect(names(decoder, 12, []) == [])
        #expect(names(decoder, 12, [1]) == ["A"])
        #expect(names(decoder, 12, [1, 2, 3]) == ["A", "B"])
        // Bytes after the DBC length are ignored; a signal outside the message is never decoded.
        #expect(names(decoder, 12, [1, 2, 3, 4, 5, 6, 7, 8]) == ["A", "B", "C"])
        #expect(decodeFrame(decoder, 12, [1, 2, 3, 4, 5])["C"]?.raw == .unsigned(0x0403))
    }

    @Test func overlappingSignalsAreDecodedFromTheirOwnBits() throws {
        let decoder = try parseDBC("""
            BO_ 13 M: 2 X
             SG_ Whole : 0|16@1+ (1,0) [0|0] "" X
             SG_ High : 12|4@1+ (1,0) [0|0] "" X
            """).compile()
        let d = decodeFrame(decoder, 13, [0x34, 0x12])
        #expect(d["Whole"]?.raw == .unsigned(0x1234) && d["High"]?.raw == .unsigned(1))
    }

    @Test func labelsAndExtendedLookup() throws {
        let decoder = try parseDBC("""
            BO_ 2566844926 J: 8 X
             SG_ State : 0|2@1+ (1,0) [0|0] "" X
            VAL_ 2566844926 State 0 "off" 1 "on" 2 "error, bad" ;
            """).compile()
        #expect(decodeFrame(decoder, 0x18FE_F1FE, extended: true, [1])["State"]?.label == "on")
        #expect(decodeFrame(decoder, 0x18FE_F1FE, extended: true, [2])["State"]?.label == "error, bad")
        #expect(decodeFrame(decoder, 0x18FE_F1FE, extended: true, [3])["State"]?.label == nil)
        #expect(names(decoder, 0x18FE_F1FE, extended: false, [1]) == [], "the EFF flag is part of the key")
        #expect(names(decoder, 0x0FE_F1FE, extended: true, [1]) == [])
    }

    @Test func manyExtendedIdentifiersAllFound() throws {
        var text = ""
        for i in 0..<500 { text += "BO_ \(0x8000_0000 | UInt32(i * 7919)) M\(i): 1 X\n SG_ V\(i) : 0|8@1+ (1,0) [0|0] \"\" X\n" }
        for i in 0..<300 { text += "BO_ \(i) S\(i): 1 X\n SG_ W\(i) : 0|8@1+ (1,0) [0|0] \"\" X\n" }
        let decoder = try parseDBC(text).compile()
        for i in 0..<500 {
            #expect(decoder.messageIndex(id: UInt32(i * 7919), isExtended: true) == i)
        }
        for i in 0..<300 { #expect(decoder.messageIndex(id: UInt32(i), isExtended: false) == 500 + i) }
        #expect(decoder.messageIndex(id: 7919 * 500, isExtended: true) == nil)
        #expect(decoder.messageIndex(id: 300, isExtended: false) == nil)
    }
}
