import Testing
@testable import Canp

/// The C decode kernel (`DBCDecoder.decodeSignals`) against the Swift
/// reference (`referenceDecodeSignals`) on random databases and frames: the
/// same rows, bit for bit, in the same order.
@Suite struct DBCKernelTests {
    /// A random DBC: plain, multiplexed (nested, `SG_MUL_VAL_` ranges) and
    /// float signals, both byte orders, lengths 1-64, scales and offsets that
    /// take every conversion, signals past the message length.
    static func randomDatabaseText(_ random: inout SplitMix64, messages: Int) -> String {
        var lines: [String] = []
        var extra: [String] = []
        let scales = ["1", "0.1", "0.001", "2", "-3", "1e+20", "0.5", "1000000000000"]
        let offsets = ["0", "-40", "0.25", "7", "-1e+18", "100"]
        for m in 0..<messages {
            let extended = random.next() % 3 == 0
            let id = extended ? UInt32(0x8000_0000) | UInt32(truncatingIfNeeded: random.next()) & 0x1FFF_FFFF
                : UInt32(m * 37 % 2048)
            let length = [0, 1, 3, 6, 8, 8, 8, 12, 16, 24, 32, 48, 64][Int(random.next() % 13)]
            lines.append("BO_ \(id) M\(m): \(length) X")
            let count = Int(random.next() % 12)
            let multiplexed = count > 1 && random.next() % 3 == 0
            for k in 0..<count {
                let bits = max(length, 1) * 8 + 16
                let start = Int(random.next() % UInt64(bits))
                let size = [1, 2, 3, 4, 7, 8, 12, 16, 16, 31, 32, 33, 57, 63, 64][Int(random.next() % 15)]
                let order = random.next() % 2 == 0 ? "1" : "0"
                let sign = random.next() % 2 == 0 ? "+" : "-"
                var mux = ""
                if multiplexed {
                    if k == 0 { mux = " M" } else if k == 1 && random.next() % 2 == 0 { mux = " m1M" } else {
                        mux = " m\(random.next() % 3)"
                    }
                }
                let size0 = k == 0 && multiplexed ? [2, 4, 8][Int(random.next() % 3)] : size
                lines.append(" SG_ S\(k)\(mux) : \(start)|\(size0)@\(order)\(sign) (\(scales[Int(random.next() % 8)]),"
                             + "\(offsets[Int(random.next() % 6)])) [0|0] \"\" X")
                if !multiplexed || k > 0, [32, 64].contains(size0), random.next() % 3 == 0 {
                    extra.append("SIG_VALTYPE_ \(id) S\(k) : \(size0 == 32 ? 1 : 2);")
                }
                if multiplexed && k > 1 && random.next() % 4 == 0 {
                    extra.append("SG_MUL_VAL_ \(id) S\(k) S0 \(random.next() % 3)-\(random.next() % 5), 9-9;")
                }
            }
        }
        return (lines + extra).joined(separator: "\n") + "\n"
    }

    static func randomFrames(_ random: inout SplitMix64, ids: [(UInt32, Bool)], count: Int,
                             data: UnsafeMutableRawBufferPointer) -> FrameBatch {
        var frames = FrameBatch()
        for i in 0..<data.count { data[i] = UInt8(truncatingIfNeeded: random.next()) }
        for _ in 0..<count {
            var (id, extended) = ids[Int(random.next() % UInt64(ids.count))]
            if random.next() % 10 == 0 { id ^= UInt32(random.next() % 0x800) }
            if extended && random.next() % 6 == 0 { id = id & ~0xFF | UInt32(random.next() & 0xFF) }
            var flags: FrameFlags = extended ? .extended : []
            if random.next() % 20 == 0 { flags.insert(random.next() % 2 == 0 ? .remoteRequest : .errorFrame) }
            let length = random.next() % 4 == 0 ? UInt8(random.next() % 65) : 8
            let offset = UInt32(random.next() % UInt64(data.count - 64 - DBCDecoder.payloadPadding))
            frames.appendFrame(timestamp: 0, identifier: id, flags: flags, channel: Int32(random.next() % 4),
                               length: length, dataOffset: offset, block: 0)
        }
        return frames
    }

    static func expectSameRows(_ a: borrowing DBCSignalBatch, _ b: borrowing DBCSignalBatch) {
        #expect(a.count == b.count)
        for row in 0..<min(a.count, b.count) {
            #expect(a.frameIndex(at: row) == b.frameIndex(at: row))
            #expect(a.signalIndex(at: row) == b.signalIndex(at: row))
            #expect(String(reflecting: a.rawValue(at: row)) == String(reflecting: b.rawValue(at: row)))
            #expect(a.value(at: row).bitPattern == b.value(at: row).bitPattern)
        }
    }

    @Test(arguments: 0..<12)
    func kernelMatchesTheSwiftReference(seed: UInt64) throws {
        var random = SplitMix64(seed: 1000 + seed)
        let database = try parseDBC(Self.randomDatabaseText(&random, messages: 1 + Int(random.next() % 20)))
        let decoders = [
            database.compile(),
            DBCDecoder(bindings: [DBCBinding(database: database, channels: [1]),
                                  DBCBinding(database: database, channels: [1, 2], forcesJ1939: true),
                                  DBCBinding(database: database)]),
        ]
        let ids = database.messages.map { ($0.id, $0.isExtended) } + [(0x7FF, false), (0x1234, true)]
        let data = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { data.deallocate() }
        var rows = 0
        for decoder in decoders {
            for _ in 0..<8 {
                let frames = Self.randomFrames(&random, ids: ids, count: Int(random.next() % 600), data: data)
                var kernel = DBCSignalBatch(capacity: 16)
                var reference = DBCSignalBatch(capacity: 16)
                let bytes = UnsafeRawBufferPointer(rebasing: data[0..<(data.count - DBCDecoder.payloadPadding)])
                let a = decoder.decodeSignals(of: frames, data: bytes, into: &kernel)
                let b = decoder.referenceDecodeSignals(of: frames, data: bytes, into: &reference)
                #expect(a == b)
                Self.expectSameRows(kernel, reference)
                rows += kernel.count
            }
        }
        #expect(rows > 0)
    }

    /// The sample DBC and its traffic model (the benchmark's data): the same rows.
    @Test func kernelMatchesTheReferenceOnTheSampleDatabase() throws {
        let database = try parseDBC(SampleDatabase.text)
        let decoder = database.compile()
        var random = SplitMix64(seed: 77)
        let ids = database.messages.map { ($0.id, $0.isExtended) }
        let data = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 8)
        defer { data.deallocate() }
        let frames = Self.randomFrames(&random, ids: ids, count: 5000, data: data)
        var kernel = DBCSignalBatch(capacity: 64)
        var reference = DBCSignalBatch(capacity: 64)
        let bytes = UnsafeRawBufferPointer(rebasing: data[0..<(data.count - DBCDecoder.payloadPadding)])
        #expect(decoder.decodeSignals(of: frames, data: bytes, into: &kernel)
                == decoder.referenceDecodeSignals(of: frames, data: bytes, into: &reference))
        Self.expectSameRows(kernel, reference)
        #expect(kernel.count > 5000)
    }
}
